import { SignatureV4 } from '@smithy/signature-v4';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, spawnServer, type ServerProcess } from '../observability/server-process.js';
import { Sha256 } from '../support/sha256.js';
import { admitted, keepAliveExchange } from './raw-http.js';

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
 * The probe as a load balancer sends it: from another process, on a new connection, timed by
 * the prober itself (curl's time_total, connect included), so the test's own event loop,
 * busy with the 500 connections, is not part of the figure.
 */
function healthCheck(url: URL): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['-s', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '--max-time', '60', new URL('/healthz', url).href],
      (error, stdout) => {
        if (error) return reject(error);
        const [status, seconds] = stdout.trim().split(' ');
        resolve({ status: Number(status), ms: Number(seconds) * 1000 });
      },
    );
  });
}

/**
 * The server in its own process, so the load this test generates does not share its event loop.
 * Before the server bounded its turns in time (http/turn-pacing.ts) this waited 9-17 s on this shared
 * 2-core machine: each turn served every request read in its poll, and the new connection waited two
 * such turns, one to be accepted and one to be read. Now the requests past a turn's budget wait for a
 * later turn, their clients send nothing meanwhile, and the probe is read within a turn or two
 * (96-140 ms measured at load average 17-19).
 */
describe('/healthz within 1 s at 500 busy connections (issue 11, point 16)', () => {
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
          // A connection the server closed (its keep-alive or request deadline, on a starved machine)
          // ends that connection's load; it is the health check that is under test.
          if (
            !(await pending.then(
              () => true,
              () => false,
            ))
          )
            return;
        }
      }),
    );
    await busy;
    const health = await healthCheck(url);
    const healthMs = health.ms;
    await load;
    for (const s of sockets) s.destroy();
    console.log(`healthz on a new connection at ${BUSY_CONNECTIONS} busy connections: ${healthMs.toFixed(0)} ms`);
    expect(health.status).toBe(200);
    expect(healthMs).toBeLessThan(HEALTH_CHECK_TIMEOUT_MS);
  }, 120_000);
});
