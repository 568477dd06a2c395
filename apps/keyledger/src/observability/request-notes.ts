import type { FastifyRequest } from 'fastify';
import { authenticatedCallerOf, requestIdOf } from '../edge/authenticated-caller.js';

const KEY_ID = Symbol('observation.keyId');
type Noted = FastifyRequest & { [KEY_ID]?: string };

/**
 * The key a request names, for its access-log line: the KMS controller notes it once
 * the input is parsed (and so validated as an identifier); the ledger API names it in
 * its path. Only a string of an identifier's length is kept.
 */
export function noteKeyId(request: FastifyRequest, keyId: unknown): void {
  if (typeof keyId === 'string' && keyId.length > 0 && keyId.length <= 2048) (request as Noted)[KEY_ID] = keyId;
}

export function notedKeyId(request: FastifyRequest): string | undefined {
  const noted = (request as Noted)[KEY_ID];
  if (noted !== undefined) return noted;
  const fromPath = (request.params as { keyId?: unknown } | undefined)?.keyId;
  return typeof fromPath === 'string' && fromPath.length <= 2048 ? fromPath : undefined;
}

export function notedCaller(request: FastifyRequest): { accessKeyId: string | null; principal: string } | undefined {
  const caller = authenticatedCallerOf(request);
  return caller ? { accessKeyId: caller.actor.accessKeyId, principal: caller.actor.principal } : undefined;
}

export const notedRequestId = requestIdOf;
