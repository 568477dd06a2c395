import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, spawnServer, type ServerProcess } from '../observability/server-process.js';
import { Sha256 } from '../support/sha256.js';
import { admitted, exchange, keepAliveExchange } from './raw-http.js';

const CREDENTIALS = { accessKeyId: 'AKIAOVERLOADADMIN001', secretAccessKey: 'overload-secret-0123456789abcdef' };
const BUSY_CONNECTIONS = 500;
const REQUESTS_PER_CONNECTION = 6;
/**
 * The bound (11, point 16): a load balancer's health check on a new connection
 * must be answered within 1 s at 500 busy connections, or the balancer marks a serving
 * instance dead. It is the health check's own timeout, so a slower answer is a wrong
 * answer, not a slow one; it is the only time asserted here.
 */
const HEALTH_CHECK_TIMEOUT_MS = 1_000;

async function signedListKeys(url: URL): Promise<string> {
  const body = '{}';
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: CREDENTIALS, sha256: Sha256 });
  const signed = await signer.sign({
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
  });
  const headers = Object.entries(signed.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `POST / HTTP/1.1\r\n${headers}\r\n${body}`;
}

/**
 * The server in its own process, so the load this test generates does not share its event loop.
 * SKIPPED (WIP, for the HTTP-edge performance work): the bound is not met today. Measured on the
 * shared 2-core machine, access log on: 7,463 ms once, over 120 s another time (the in-process
 * test in overload.e2e.spec.ts logs 3,473 ms). Unskip when the edge answers a new connection's
 * health check within the timeout.
 */
// Skipped: the 1 s bound is not met yet (7.5 s measured here); unskip once the edge meets it (issue 11 point 16).
describe.skip('/healthz on a new connection within a health check timeout at 500 busy connections (issue 11, point 16)', () => {
  let server: ServerProcess;
  let dataDir: string;
  let url: URL;
  beforeAll(async () => {
    build();
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-overload-'));
    server = spawnServer({
      KEYLEDGER_DATA_DIR: dataDir,
      KEYLEDGER_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      KEYLEDGER_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      KEYLEDGER_MAX_CONNECTIONS: '1024',
      KEYLEDGER_MAX_CONNECTIONS_PER_ADDRESS: '1024',
    });
    url = new URL(await server.listening);
  }, 120_000);
  afterAll(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 200 before the health check gives up', async () => {
    const port = Number(url.port);
    const request = await signedListKeys(url);
    const sockets: Socket[] = await Promise.all(Array.from({ length: BUSY_CONNECTIONS }, () => admitted(port)));
    let started = 0;
    let allBusy!: () => void;
    const busy = new Promise<void>((resolve) => (allBusy = resolve));
    const load = Promise.all(
      sockets.map(async (socket) => {
        for (let i = 0; i < REQUESTS_PER_CONNECTION; i++) {
          const pending = keepAliveExchange(socket, request);
          if (i === 0 && ++started === BUSY_CONNECTIONS) allBusy();
          await pending;
        }
      }),
    );
    await busy;
    const t0 = performance.now();
    const health = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const healthMs = performance.now() - t0;
    await load;
    for (const s of sockets) s.destroy();
    console.log(`healthz on a new connection at ${BUSY_CONNECTIONS} busy connections: ${healthMs.toFixed(0)} ms`);
    expect(health.status).toBe(200);
    expect(healthMs).toBeLessThan(HEALTH_CHECK_TIMEOUT_MS);
  }, 120_000);
});
