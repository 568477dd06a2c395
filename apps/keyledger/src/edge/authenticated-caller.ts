import { SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '@keyledger/kms-api';
import type { Actor } from '@keyledger/ledger';

/** Who signed the request, as the SigV4 guard established it. */
export interface AuthenticatedCaller {
  principal: Principal;
  actor: Actor;
  requestId: string;
  /** The region of the credential scope: the region the request acts in. */
  region: string;
}

const CALLER = Symbol('AuthenticatedCaller');
const REQUEST_ID = Symbol('RequestId');

type EdgeRequest = FastifyRequest & { [CALLER]?: AuthenticatedCaller; [REQUEST_ID]?: string };

export function rememberCaller(request: FastifyRequest, caller: AuthenticatedCaller): void {
  (request as EdgeRequest)[CALLER] = caller;
}

/** The caller of a route behind the SigV4 guard; a route without it is a wiring mistake. */
export function callerOf(request: FastifyRequest): AuthenticatedCaller {
  const caller = (request as EdgeRequest)[CALLER];
  if (!caller) throw new Error('route is not behind the SigV4 guard');
  return caller;
}

/** The caller, when the guard authenticated one (for the access log); undefined otherwise. */
export const authenticatedCallerOf = (request: FastifyRequest): AuthenticatedCaller | undefined =>
  (request as EdgeRequest)[CALLER];

export function rememberRequestId(request: FastifyRequest, requestId: string): void {
  (request as EdgeRequest)[REQUEST_ID] = requestId;
}

/** The id the guard gave the request (and sent as x-amzn-RequestId), when it got that far. */
export const requestIdOf = (request: FastifyRequest): string | undefined => (request as EdgeRequest)[REQUEST_ID];

export const UNSIGNED_ROUTE = 'keyledger:unsigned';
/** A route anyone may read without signing (the OpenAPI document). */
export const Unsigned = () => SetMetadata(UNSIGNED_ROUTE, true);
