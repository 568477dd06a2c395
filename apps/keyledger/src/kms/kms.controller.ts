import { Controller, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  assertAuthorized,
  parseRequest,
  parseTarget,
  serializeResponse,
  toKmsError,
  toWireError,
} from '@keyledger/kms-api';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { AwsErrorFilter } from '../edge/aws-error.filter.js';
import { callerOf } from '../edge/authenticated-caller.js';
import { SigV4Guard } from '../edge/sigv4.guard.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { KmsOperations } from './kms-operations.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const EMPTY = Buffer.alloc(0);

/**
 * AWS KMS JSON 1.1: `POST /` with `X-Amz-Target: TrentService.<Operation>`, SigV4-signed.
 * The guard authenticates; this edge authorises the operation, parses its input and
 * dispatches it to its one handler.
 */
@Controller()
@UseGuards(SigV4Guard)
@UseFilters(new AwsErrorFilter('KmsApi', CONTENT_TYPE, (error) => toWireError(toKmsError(error))))
export class KmsController {
  constructor(
    private readonly operations: KmsOperations,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  @Post('/')
  async handle(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { principal, actor, requestId, region } = callerOf(request);
    const operation = parseTarget(request.headers['x-amz-target']);
    assertAuthorized(principal, operation, this.config.accountId);
    const { input } = parseRequest(operation, Buffer.isBuffer(request.body) ? request.body : EMPTY);
    const output = await this.operations.dispatch(operation, input, { actor, requestId, region });
    await reply.status(200).header('content-type', CONTENT_TYPE).send(serializeResponse(output));
  }
}
