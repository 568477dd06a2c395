import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { INTERNAL_ERROR_MESSAGE } from '@keyledger/kms-api';

/**
 * What the edge answers by itself, outside the KMS and ledger controllers: the
 * same `{"__type","message"}` body those write, so that an AWS SDK can classify
 * every error it gets (ThrottlingException and RequestTimeoutException are
 * retried with back-off; the other 4xx are not).
 */
export interface AwsError {
  status: number;
  type: string;
  message: string;
}

const TYPE_OF_STATUS: Record<number, string> = {
  400: 'ValidationException',
  404: 'UnknownOperationException',
  405: 'UnknownOperationException',
  408: 'RequestTimeoutException',
  413: 'RequestEntityTooLargeException',
  415: 'SerializationException',
  429: 'ThrottlingException',
  431: 'RequestHeaderFieldsTooLargeException',
  503: 'ServiceUnavailableException',
};

/** Any status the edge or the framework picked, with a type an SDK knows; 5xx other than 503 is internal. */
export function awsErrorOfStatus(status: number, message: string): AwsError {
  if (status >= 500 && status !== 503) return { status: 500, type: 'KMSInternalException', message: INTERNAL_MESSAGE };
  return {
    status,
    type: TYPE_OF_STATUS[status] ?? (status >= 500 ? 'KMSInternalException' : 'ValidationException'),
    message,
  };
}

const INTERNAL_MESSAGE = INTERNAL_ERROR_MESSAGE;

export const awsErrorJson = (error: AwsError): string => JSON.stringify({ __type: error.type, message: error.message });

export const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** A whole HTTP/1.1 response for a socket no request object stands for (refused connection, unparseable request). */
export function rawAwsErrorResponse(error: AwsError, now: Date = new Date()): string {
  const body = awsErrorJson(error);
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
    `Content-Type: ${CONTENT_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `x-amzn-RequestId: ${randomUUID()}\r\n` +
    `Date: ${now.toUTCString()}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** How long a refused socket may still drain what its client sends before it is dropped. */
const LINGER_MS = 1000;

/**
 * Answers and closes. What the client still sends is read and dropped, so the close
 * is an orderly FIN and not a reset that could destroy the answer before it is read.
 */
export function answerAndClose(socket: Socket, error: AwsError): void {
  socket.on('error', () => undefined);
  if (socket.writable) socket.end(rawAwsErrorResponse(error));
  else socket.destroy();
  socket.resume();
  socket.setTimeout(LINGER_MS, () => socket.destroy());
}
