import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { awsErrorJson, awsErrorOfStatus, CONTENT_TYPE } from './aws-error-shape.js';

/**
 * Whatever no controller answered itself: unknown routes (404), bodies over the limit
 * (413), requests Fastify refused, and any fault. Every one gets the AWS shape;
 * only a 5xx is logged, with its kind and where it came from, never its message.
 */
@Catch()
export class AwsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // The client went away (a body cut off, a request past its deadline): no one to answer, nothing broke.
    if (reply.raw.destroyed || reply.raw.socket?.destroyed !== false) {
      reply.raw.destroy();
      return;
    }
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    const error = awsErrorOfStatus(status, exception instanceof HttpException ? exception.message : '');
    if (error.status >= 500 && error.status !== 503) this.logFault(exception);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    void reply.status(error.status).header('content-type', CONTENT_TYPE).send(awsErrorJson(error));
  }

  private logFault(exception: unknown): void {
    const name = exception instanceof Error ? exception.name : typeof exception;
    const where = exception instanceof Error ? (exception.stack ?? '').split('\n').slice(1, 6).join('\n') : '';
    this.logger.error(`request failed with ${name}\n${where}`);
  }
}
