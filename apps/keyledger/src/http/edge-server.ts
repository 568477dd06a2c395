import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { EdgeLimits, KeyledgerConfig } from '../config/keyledger-config.js';
import { answerAndClose, type AwsError } from './aws-error-shape.js';
import { gateConnections, type ConnectionGate } from './connection-gate.js';
import { paceRequests } from './turn-pacing.js';

/** What the metrics learn from the edge: each refused connection and shed request, and the gate to count open ones. */
export interface EdgeObserver {
  refused?(reason: 'total' | 'per_source'): void;
  shed?(): void;
  gate?(gate: ConnectionGate): void;
}

/** Node's largest request head; a larger one is answered 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The HTTP or HTTPS server Fastify runs on, with the request deadline, the
 * keep-alive timeout and the connection gate in place before the first byte,
 * and each turn of the event loop bounded in time (turn-pacing.ts).
 */
export function createEdgeServer(
  config: Pick<KeyledgerConfig, 'limits' | 'tls'>,
  handler: RequestListener,
  observer: EdgeObserver = {},
): HttpServer {
  const limits = config.limits;
  const timeouts = {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.requestTimeoutMs,
    // Node checks the deadlines on this period; the default (30 s) would double a 30 s deadline.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4))),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: MAX_HEADER_BYTES,
  };
  const paced = paceRequests(
    handler,
    { turnBudgetMs: limits.turnBudgetMs, maxWaiting: limits.maxConnections },
    observer.shed,
  );
  const server = config.tls
    ? createHttpsServer({ ...timeouts, ...config.tls, handshakeTimeout: limits.requestTimeoutMs }, paced)
    : createHttpServer(timeouts, paced);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Sockets past the gate are answered and dropped within a second; this ceiling bounds
  // the file handles even while a flood of them lingers (and, with TLS, while handshaking).
  server.maxConnections = 2 * limits.maxConnections;
  const gate = gateConnections(server, config.tls ? 'secureConnection' : 'connection', limits, observer.refused);
  observer.gate?.(gate);
  return server;
}

/** What Node says went wrong with a connection's bytes, as the AWS error the client gets. */
export function clientErrorOf(code: string | undefined, limits: EdgeLimits): AwsError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        type: 'RequestTimeoutException',
        message: `The request was not received in full within ${limits.requestTimeoutMs} ms.`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        type: 'RequestHeaderFieldsTooLargeException',
        message: `The request headers exceed ${MAX_HEADER_BYTES} bytes.`,
      };
    default:
      return { status: 400, type: 'ValidationException', message: 'The request is not valid HTTP/1.1.' };
  }
}

/** Fastify's `clientErrorHandler`: a malformed or late request gets an AWS-shaped answer, then the socket closes. */
export function clientErrorHandler(limits: EdgeLimits) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    // Once a response has begun, another one would corrupt it: only closing is left.
    if (response?.headersSent) socket.destroy();
    else answerAndClose(socket, clientErrorOf(error.code, limits));
  };
}
