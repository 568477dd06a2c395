import { Controller, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseRequest, parseTarget, serializeResponse, toKmsError, toWireError } from '@keyledger/kms-api';
import { KmsRequestAuthorization } from '../authorization/kms-request-authorization.js';
import { AwsErrorFilter } from '../edge/aws-error.filter.js';
import { callerOf } from '../edge/authenticated-caller.js';
import { SigV4Guard } from '../edge/sigv4.guard.js';
import { UsageRecorder } from '../usage/usage-recorder.js';
import { dependencyTimeoutOf } from '../observability/dependency-timeout.js';
import { noteKeyId } from '../observability/request-notes.js';
import { KmsOperations } from './kms-operations.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const EMPTY = Buffer.alloc(0);

/**
 * AWS KMS JSON 1.1: `POST /` with `X-Amz-Target: TrentService.<Operation>`, SigV4-signed.
 * The guard authenticates; this edge parses the input, asks once whether the principal may do
 * this (key policy, grants, identity policies) and dispatches it to its one handler.
 */
@Controller()
@UseGuards(SigV4Guard)
@UseFilters(new AwsErrorFilter('KmsApi', CONTENT_TYPE, (error) => toWireError(toKmsError(dependencyTimeoutOf(error)))))
export class KmsController {
  constructor(
    private readonly operations: KmsOperations,
    private readonly authorization: KmsRequestAuthorization,
    private readonly usage: UsageRecorder,
  ) {}

  @Post('/')
  async handle(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { principal, actor, requestId, region } = callerOf(request);
    const operation = parseTarget(request.headers['x-amz-target']);
    const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
    const { input } = parseRequest(operation, body);
    noteKeyId(request, (input as { KeyId?: unknown }).KeyId ?? (input as { TargetKeyId?: unknown }).TargetKeyId);
    let authorization;
    try {
      authorization = await this.authorization.enforce(
        operation,
        input as Record<string, unknown>,
        principal,
        actor.sourceAddress,
        region,
      );
    } catch (error) {
      this.usage.refusedAtEdge(operation, body, error, { actor, requestId, region });
      throw error;
    }
    const output = await this.operations.dispatch(operation, input, { actor, requestId, region, authorization });
    await reply.status(200).header('content-type', CONTENT_TYPE).send(serializeResponse(output));
  }
}
