import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import {
  assertAuthorized,
  parseRequest,
  parseTarget,
  principalArn,
  serializeResponse,
  toKmsError,
  toWireError,
  verifySigV4,
  type PrincipalDirectory,
} from '@keyledger/kms-api';
import type { Clock } from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, PRINCIPALS } from '../infrastructure/tokens.js';
import { KmsOperations } from './kms-operations.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const EMPTY = Buffer.alloc(0);

/** AWS KMS JSON 1.1: `POST /` with `X-Amz-Target: TrentService.<Operation>`, SigV4-signed. */
@Controller()
export class KmsController {
  private readonly logger = new Logger('KmsApi');

  constructor(
    private readonly operations: KmsOperations,
    @Inject(PRINCIPALS) private readonly principals: PrincipalDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  @Post('/')
  async handle(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const requestId = randomUUID();
    reply.header('x-amzn-RequestId', requestId).header('content-type', CONTENT_TYPE);
    try {
      const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
      const url = request.raw.url ?? '/';
      const q = url.indexOf('?');
      const { accessKeyId } = verifySigV4(
        {
          method: request.method,
          path: q < 0 ? url : url.slice(0, q),
          query: q < 0 ? '' : url.slice(q + 1),
          headers: request.headers,
          body,
        },
        {
          region: this.config.region,
          service: 'kms',
          now: this.clock.now(),
          lookupSecret: this.principals.lookupSecret,
        },
      );
      const principal = this.principals.lookup(accessKeyId)!;
      const operation = parseTarget(request.headers['x-amz-target']);
      assertAuthorized(principal, operation, this.config.accountId);
      const { input } = parseRequest(operation, body);
      const context = {
        actor: {
          principal: principalArn(principal, this.config.accountId),
          accessKeyId,
          sourceAddress: request.ip ?? null,
        },
        requestId,
      };
      const output = await this.operations.dispatch(operation, input, context);
      await reply.status(200).send(serializeResponse(output));
    } catch (error) {
      const wire = toWireError(toKmsError(error));
      if (wire.statusCode >= 500) this.logInternal(error, requestId);
      await reply.status(wire.statusCode).send(JSON.stringify(wire.body));
    }
  }

  /** The error's kind and where it came from, never its message: a message could carry data. */
  private logInternal(error: unknown, requestId: string): void {
    const name = error instanceof Error ? error.name : typeof error;
    const where = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 6).join('\n') : '';
    this.logger.error(`request ${requestId} failed with ${name}\n${where}`);
  }
}
