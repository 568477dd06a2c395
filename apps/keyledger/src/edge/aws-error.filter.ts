import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WireError } from '@keyledger/kms-api';
import { requestIdOf } from './authenticated-caller.js';

/**
 * The HTTP edge's one answer to a failed request, for the KMS API and the ledger
 * API alike: the API's own mapping to an AWS-shaped `{ __type, message }` body,
 * and for a 5xx a log line with the error's kind and where it came from, never
 * its message (a message could carry data).
 */
@Catch()
export class AwsErrorFilter implements ExceptionFilter {
  private readonly logger: Logger;

  constructor(
    loggerName: string,
    private readonly contentType: string,
    private readonly toWire: (error: unknown) => WireError,
  ) {
    this.logger = new Logger(loggerName);
  }

  async catch(error: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const wire = this.toWire(error);
    // A 503 (the store did not answer) is the access log's error line; a stack is for a fault of ours.
    if (wire.statusCode >= 500 && wire.statusCode !== 503)
      this.logInternal(error, requestIdOf(http.getRequest<FastifyRequest>()));
    await http
      .getResponse<FastifyReply>()
      .status(wire.statusCode)
      .header('content-type', this.contentType)
      .send(JSON.stringify(wire.body));
  }

  private logInternal(error: unknown, requestId: string | undefined): void {
    const name = error instanceof Error ? error.name : typeof error;
    const where = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 6).join('\n') : '';
    this.logger.error(`request ${requestId ?? '(none)'} failed with ${name}\n${where}`);
  }
}
