import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UNSIGNED_ROUTE } from './authenticated-caller.js';
import { EdgeAuthenticator } from './edge-authenticator.js';

/** The edge's authentication (EdgeAuthenticator) as a Nest guard, for the controllers behind it (the ledger API). */
@Injectable()
export class SigV4Guard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: EdgeAuthenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.get<boolean>(UNSIGNED_ROUTE, context.getHandler())) return true;
    const http = context.switchToHttp();
    this.authenticator.authenticate(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
    return true;
  }
}
