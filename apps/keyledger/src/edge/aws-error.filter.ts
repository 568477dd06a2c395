import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toKmsError, toWireError, type WireError } from '@keyledger/kms-api';
import { awsErrorOfStatus, CONTENT_TYPE } from '../http/aws-error-shape.js';
import { dependencyTimeoutOf } from '../observability/dependency-timeout.js';
import { requestIdOf } from './authenticated-caller.js';

/** How one API words its errors: its content type and its mapping of an error to status and body. */
export interface ErrorDialect {
  readonly name: string;
  readonly contentType: string;
  toWire(error: unknown): WireError;
}

/**
 * The KMS protocol: every client error is a 400 with the AWS type, a store that did not
 * answer is DependencyTimeoutException (503), anything unknown is a 500.
 */
export const KMS_DIALECT: ErrorDialect = {
  name: 'KmsApi',
  contentType: CONTENT_TYPE,
  toWire: (error) => toWireError(toKmsError(dependencyTimeoutOf(error))),
};

const loggers = new Map<string, Logger>();
const loggerOf = (name: string): Logger => {
  let logger = loggers.get(name);
  if (logger === undefined) loggers.set(name, (logger = new Logger(name)));
  return logger;
};

/**
 * The HTTP edge's one answer to a failed request, for the KMS route, the ledger API
 * and whatever no route answered (unknown routes, bodies over the limit, requests
 * Fastify refused): an AWS-shaped `{ __type, message }` body. A framework refusal
 * keeps its status; every other error goes through the API's dialect. Only a 5xx
 * other than 503 (a 503 is the access log's error line: load shed, a store that did not
 * answer) is logged, with its kind and where it came from, never its
 * message (a message could carry data).
 */
export function replyWithError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  dialect: ErrorDialect,
): void {
  // The client went away (a body cut off, a request past its deadline): no one to answer, nothing broke.
  if (reply.raw.destroyed || reply.raw.socket?.destroyed !== false) {
    reply.raw.destroy();
    return;
  }
  const wire = wireErrorOf(error, dialect);
  if (wire.statusCode >= 500 && wire.statusCode !== 503) logFault(dialect.name, error, requestIdOf(request));
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.end();
    return;
  }
  void reply.status(wire.statusCode).header('content-type', dialect.contentType).send(JSON.stringify(wire.body));
}

function wireErrorOf(error: unknown, dialect: ErrorDialect): WireError {
  if (!(error instanceof HttpException)) return dialect.toWire(error);
  const aws = awsErrorOfStatus(error.getStatus(), error.message);
  return { statusCode: aws.status, body: { __type: aws.type, message: aws.message } };
}

function logFault(loggerName: string, error: unknown, requestId: string | undefined): void {
  const name = error instanceof Error ? error.name : typeof error;
  const where = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 6).join('\n') : '';
  loggerOf(loggerName).error(`request ${requestId ?? '(none)'} failed with ${name}\n${where}`);
}

/** `replyWithError` as a Nest exception filter: global with the KMS dialect, per controller with its own. */
@Catch()
export class AwsErrorFilter implements ExceptionFilter {
  constructor(private readonly dialect: ErrorDialect = KMS_DIALECT) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    replyWithError(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.dialect);
  }
}
