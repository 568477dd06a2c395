import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { principalArn, verifySigV4, type PrincipalDirectory } from '@keyledger/kms-api';
import { servesRegion, type Clock } from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, PRINCIPALS } from '../infrastructure/tokens.js';
import { rememberCaller, rememberRequestId, type AuthenticatedCaller } from './authenticated-caller.js';

const EMPTY = Buffer.alloc(0);

/**
 * The HTTP edge's authentication, for the KMS route and the ledger API alike:
 * gives the request its id, verifies SigV4 against the raw request line
 * (Fastify has decoded params) and looks the principal up. Authorisation stays
 * with each API, which knows what is being asked. Throws the KmsError SigV4 failed with.
 */
@Injectable()
export class EdgeAuthenticator {
  private readonly service = 'kms' as const;
  private readonly acceptsRegion = (region: string): boolean => servesRegion(this.config.regions, region);

  constructor(
    @Inject(PRINCIPALS) private readonly principals: PrincipalDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  authenticate(request: FastifyRequest, reply: FastifyReply): AuthenticatedCaller {
    const requestId = randomUUID();
    rememberRequestId(request, requestId);
    reply.header('x-amzn-RequestId', requestId);
    const url = request.raw.url ?? '/';
    const q = url.indexOf('?');
    const { accessKeyId, region } = verifySigV4(
      {
        method: request.method,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1),
        headers: request.headers,
        body: Buffer.isBuffer(request.body) ? request.body : EMPTY,
      },
      {
        acceptsRegion: this.acceptsRegion,
        service: this.service,
        now: this.clock.now(),
        lookupSecret: this.principals.lookupSecret,
      },
    );
    const principal = this.principals.lookup(accessKeyId)!;
    const caller: AuthenticatedCaller = {
      principal,
      requestId,
      region,
      actor: {
        principal: principalArn(principal, this.config.accountId),
        accessKeyId,
        sourceAddress: request.ip ?? null,
      },
    };
    rememberCaller(request, caller);
    return caller;
  }
}
