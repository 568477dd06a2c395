import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseRequest, parseTarget, serializeResponse } from '@keyledger/kms-api';
import { KmsRequestAuthorization } from '../authorization/kms-request-authorization.js';
import { KMS_DIALECT, replyWithError } from '../edge/aws-error.filter.js';
import { EdgeAuthenticator } from '../edge/edge-authenticator.js';
import { noteKeyId } from '../observability/request-notes.js';
import { UsageRecorder } from '../usage/usage-recorder.js';
import type { Output } from './operation-table.js';
import { KmsOperations } from './kms-operations.js';

const EMPTY = Buffer.alloc(0);

/**
 * AWS KMS JSON 1.1: `POST /` with `X-Amz-Target: TrentService.<Operation>`, SigV4-signed.
 * Authenticates (the edge's one authenticator, SigV4 verified on every request),
 * parses the input, asks once whether the principal may do this (key policy,
 * grants, identity policies) and dispatches it to its one handler.
 *
 * A Fastify route of its own rather than a Nest controller: the KMS API has one
 * route, and Nest's router, guard and interceptor layers cost more per request than
 * the whole of this. It keeps the edge's semantics: Fastify's hooks (load shedding,
 * the Date header, and any observability hook added with `addHook`) run as for every
 * route (observability/request-observation.ts is where the access log and metrics hook in),
 * and every error goes through the edge's one mapping (`replyWithError`).
 */
@Injectable()
export class KmsRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authenticator: EdgeAuthenticator,
    private readonly operations: KmsOperations,
    private readonly authorization: KmsRequestAuthorization,
    private readonly usage: UsageRecorder,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({ method: 'POST', url: '/', handler: (request, reply) => this.handle(request, reply) });
  }

  /** Not async: the answer is sent from the dispatch's own promise, one hop and no wrapper. */
  handle(request: FastifyRequest, reply: FastifyReply): void {
    const fail = (error: unknown) => replyWithError(error, request, reply, KMS_DIALECT);
    try {
      const { principal, actor, requestId, region } = this.authenticator.authenticate(request, reply);
      const operation = parseTarget(request.headers['x-amz-target']);
      const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
      const { input } = parseRequest(operation, body);
      // For the access log: the key the request names, once parsed (so validated as an identifier).
      noteKeyId(request, (input as { KeyId?: unknown }).KeyId ?? (input as { TargetKeyId?: unknown }).TargetKeyId);
      this.authorization
        .enforce(operation, input as Record<string, unknown>, principal, actor.sourceAddress, region)
        .then(
          (authorization) => this.operations.dispatch(operation, input, { actor, requestId, region, authorization }),
          (error: unknown) => {
            this.usage.refusedAtEdge(operation, body, error, { actor, requestId, region });
            throw error;
          },
        )
        .then((output: Output) => this.answer(reply, output))
        .catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  private answer(reply: FastifyReply, output: Output): void {
    void reply.status(200).header('content-type', KMS_DIALECT.contentType).send(serializeResponse(output));
  }
}
