import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { CONTENT_TYPE } from './aws-error-shape.js';

/** Where the ledger view's start-up replay is: the position it holds, and the store's head when known. */
export interface CatchUpProgress {
  position: bigint | 'start';
  /** The last committed position, where positions count events (the embedded store); otherwise undefined. */
  head: bigint | 'start' | undefined;
}

const asNumber = (position: bigint | 'start'): number => (position === 'start' ? 0 : Number(position));

/** What `/readyz` says while the server is starting, and what the APIs' 503s repeat. */
export function catchUpMessage(progress: CatchUpProgress): string {
  const at = asNumber(progress.position);
  if (progress.head === undefined) return `the ledger view is catching up: it is at position ${at} of the store`;
  const head = asNumber(progress.head);
  return at >= head
    ? `the ledger view has caught up (${head} events); the server is finishing its start`
    : `the ledger view is catching up: ${at} of ${head} events replayed`;
}

const isGet = (request: IncomingMessage) => request.method === 'GET' || request.method === 'HEAD';
const pathOf = (url: string | undefined) => (url ?? '/').split('?', 1)[0];

/**
 * Lets the server listen before its ledger view has caught up with the store, so a load
 * balancer sees a live process that is not ready yet instead of a refused connection:
 * until `open()`, `/healthz` answers 200, `/readyz` answers 503 with the replay's progress,
 * and every other request an AWS-shaped 503 that the SDKs retry (DependencyTimeoutException
 * for the KMS API, as for a store that is slow; ServiceUnavailableException elsewhere).
 * These answers come straight from Node, before Fastify: nothing behind it is ready.
 */
export class StartupGate {
  private serving = false;
  private progress: () => Promise<CatchUpProgress> = async () => ({ position: 'start', head: undefined });

  /** The request listener to give the HTTP server: the gate's answers until open, then `handler`. */
  hold(handler: RequestListener): RequestListener {
    return (request, response) => {
      if (this.serving) handler(request, response);
      else void this.answer(request, response);
    };
  }

  /** Where the progress `/readyz` reports comes from, once the projection exists. */
  follow(progress: () => Promise<CatchUpProgress>): void {
    this.progress = progress;
  }

  open(): void {
    this.serving = true;
  }

  get isOpen(): boolean {
    return this.serving;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = pathOf(request.url);
    if (isGet(request) && path === '/healthz') return send(response, 200, { status: 'ok' });
    let message: string;
    let progress: CatchUpProgress | undefined;
    try {
      progress = await this.progress();
      message = catchUpMessage(progress);
    } catch {
      message = 'the server is starting';
    }
    if (isGet(request) && path === '/readyz') {
      const reported = progress && {
        position: asNumber(progress.position),
        head: progress.head === undefined ? null : asNumber(progress.head),
      };
      return send(response, 503, {
        __type: 'ServiceUnavailableException',
        message: `not ready: ${message}`,
        status: 'catching up',
        progress: reported ?? null,
      });
    }
    const kms = request.method === 'POST' && path === '/' && request.headers['x-amz-target'] !== undefined;
    // The body is not read: closing the connection spares parsing what follows it.
    response.setHeader('connection', 'close');
    const type = kms ? 'DependencyTimeoutException' : 'ServiceUnavailableException';
    send(
      response,
      503,
      { __type: type, message: `The server is starting: ${message}. It can be retried.` },
      CONTENT_TYPE,
    );
  }
}

function send(response: ServerResponse, status: number, body: object, type = 'application/json'): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-amzn-requestid': randomUUID(),
    ...(status === 503 && { 'retry-after': '1' }),
  });
  response.end(text);
}
