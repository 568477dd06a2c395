import { SignatureV4 } from '@smithy/signature-v4';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256 } from '../support/sha256.js';
import { ADMIN, startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { admitted, exchange, keepAliveExchange, open, parseAnswer, untilClosed } from './raw-http.js';

const BUSY_CONNECTIONS = 500;
const REQUESTS_PER_CONNECTION = 6;

/** One signed ListKeys as raw HTTP/1.1; SigV4 lets it be replayed for minutes, each replay verified in full. */
async function signedListKeys(h: Harness): Promise<string> {
  const url = new URL(h.url);
  const body = '{}';
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: ADMIN, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.ListKeys',
        'content-length': String(body.length),
      },
      body,
    },
    { signingDate: h.clock.now() },
  );
  const headers = Object.entries(signed.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `POST / HTTP/1.1\r\n${headers}\r\n${body}`;
}

describe('new connections are not starved by busy ones (issue 11, point 16)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKeyledger({
      env: { KEYLEDGER_MAX_CONNECTIONS: '1024', KEYLEDGER_MAX_CONNECTIONS_PER_ADDRESS: '1024' },
    });
  });
  afterAll(() => h.close());

  it(`/healthz on a new connection answers 200 while ${BUSY_CONNECTIONS} keep-alive connections are busy`, async () => {
    const port = Number(new URL(h.url).port);
    const request = await signedListKeys(h);
    const sockets: Socket[] = await Promise.all(Array.from({ length: BUSY_CONNECTIONS }, () => admitted(port)));
    const seen = new Map<string, number>();
    let started = 0;
    let allBusy!: () => void;
    const busy = new Promise<void>((resolve) => (allBusy = resolve));
    const load = Promise.all(
      sockets.map(async (socket) => {
        for (let i = 0; i < REQUESTS_PER_CONNECTION; i++) {
          const pending = keepAliveExchange(socket, request);
          if (i === 0 && ++started === BUSY_CONNECTIONS) allBusy();
          const answer = await pending;
          const kind = `${answer.status} ${answer.json?.__type ?? ''}`;
          seen.set(kind, (seen.get(kind) ?? 0) + 1);
        }
      }),
    );
    await busy;
    const t0 = performance.now();
    const health = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const healthMs = performance.now() - t0;
    await load;
    for (const s of sockets) s.destroy();
    console.log(`healthz on a new connection: ${healthMs.toFixed(0)} ms; busy answers: ${JSON.stringify([...seen])}`);
    expect(health.status).toBe(200);
    // Every busy request is served or shed as throttling; none fails otherwise.
    for (const kind of seen.keys()) expect(['200 ', '503 ThrottlingException']).toContain(kind);
    expect(seen.get('200 ')).toBeGreaterThan(0);
  }, 120_000);
});

describe('shutdown', () => {
  it('a request that arrives on an open connection while the server stops gets an AWS-shaped 503', async () => {
    const h = await startKeyledger();
    const port = Number(new URL(h.url).port);
    const socket = await open(port);
    const received = untilClosed(socket);
    // A request in flight (its body not yet sent) keeps the server from closing this connection at once.
    socket.write(
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{',
    );
    const stopped = h.close();
    socket.write('}GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
    const text = await received;
    await stopped;
    // Whichever of the two requests the server read after it began to stop is the last one answered.
    const answer = parseAnswer(text.slice(text.lastIndexOf('HTTP/1.1 ')));
    expect(answer.status).toBe(503);
    expect(answer.json?.__type).toBe('ServiceUnavailableException');
  });
});
