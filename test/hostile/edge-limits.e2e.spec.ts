import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@keyledger/app';
import { ADMIN, startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { admitted, exchange, keepAliveGet, open, parseAnswer, sendAndAwaitClose, untilClosed } from './raw-http.js';

const portOf = (h: Harness) => Number(new URL(h.url).port);

/** A client that retries as the SDKs do by default, throttling included. */
function retryingClient(h: Harness): KMSClient {
  return new KMSClient({
    endpoint: h.url,
    region: 'us-east-1',
    credentials: ADMIN,
    maxAttempts: 5,
    systemClockOffset: h.clock.now().getTime() - Date.now(),
  });
}

describe('a request must arrive whole within its deadline (issue 11, point 1)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REQUEST_TIMEOUT_MS: '400' } });
  });
  afterAll(() => h.close());

  it('a stalled body is answered 408 RequestTimeoutException and the connection closed', async () => {
    const answer = await sendAndAwaitClose(
      portOf(h),
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n' +
        'X-Amz-Target: TrentService.ListKeys\r\nContent-Length: 1000000\r\n\r\n{',
    );
    expect(answer.status).toBe(408);
    expect(answer.json?.__type).toBe('RequestTimeoutException');
    expect(answer.headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  it('slow headers are answered 408 and closed', async () => {
    const answer = await sendAndAwaitClose(portOf(h), 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Ta');
    expect(answer.status).toBe(408);
    expect(answer.json?.__type).toBe('RequestTimeoutException');
  });

  it('a connection that never sends a byte is closed', async () => {
    const socket = await open(portOf(h));
    const answer = parseAnswer(await untilClosed(socket));
    expect(answer.status).toBe(408);
  });

  it('afterwards a signed request still gets its answer', async () => {
    expect((await h.kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
  });
});

describe('connections are bounded before any request is read (issue 11, points 1 and 16)', () => {
  let h: Harness;
  const held: Socket[] = [];
  beforeAll(async () => {
    h = await startKeyledger({
      env: {
        KEYLEDGER_MAX_CONNECTIONS: '12',
        KEYLEDGER_MAX_CONNECTIONS_PER_ADDRESS: '6',
        KEYLEDGER_REQUEST_TIMEOUT_MS: '20000',
      },
    });
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await h.close();
  });

  it('past the per-address limit a flood is answered 429 ThrottlingException; a signed request is answered after', async () => {
    for (let i = 0; i < 6; i++) held.push(await admitted(portOf(h)));
    const answers = await Promise.all(
      Array.from({ length: 30 }, async () => parseAnswer(await untilClosed(await open(portOf(h))))),
    );
    expect(new Set(answers.map((a) => `${a.status} ${a.json?.__type}`))).toEqual(new Set(['429 ThrottlingException']));
    // The admitted ones are still served.
    expect((await keepAliveGet(held[0]!, '/healthz')).status).toBe(200);
    for (const s of held.splice(0)) s.destroy();
    const kms = retryingClient(h);
    expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
    kms.destroy();
  });
});

describe('the total connection limit', () => {
  let h: Harness;
  const held: Socket[] = [];
  beforeAll(async () => {
    h = await startKeyledger({
      env: { KEYLEDGER_MAX_CONNECTIONS: '4', KEYLEDGER_MAX_CONNECTIONS_PER_ADDRESS: '4' },
    });
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await h.close();
  });

  it('one connection more than the total is answered 503 ThrottlingException', async () => {
    for (let i = 0; i < 4; i++) held.push(await admitted(portOf(h)));
    const answer = parseAnswer(await untilClosed(await open(portOf(h))));
    expect(answer.status).toBe(503);
    expect(answer.json?.__type).toBe('ThrottlingException');
  });
});

describe('errors the edge writes itself are AWS-shaped (issue 11, point 9)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKeyledger();
  });
  afterAll(() => h.close());

  it.each([
    ['an unknown route', 'GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n', 404, 'UnknownOperationException'],
    ['a wrong method', 'PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n', 404, 'UnknownOperationException'],
    [
      'a body over the limit',
      `POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{`,
      413,
      'RequestEntityTooLargeException',
    ],
    [
      'headers over 16 KiB',
      `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'RequestHeaderFieldsTooLargeException',
    ],
    ['malformed HTTP', 'NOT HTTP AT ALL\r\n\r\n', 400, 'ValidationException'],
    ['a bad Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n', 400, 'ValidationException'],
    [
      'a bad chunk',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      400,
      'ValidationException',
    ],
  ])('%s', async (_name, request, status, type) => {
    const answer = await exchange(portOf(h), request);
    expect(answer.status).toBe(status);
    expect(answer.json?.__type).toBe(type);
    expect(typeof answer.json?.message).toBe('string');
  });
});

describe('edge limits configuration', () => {
  it('defaults, bounds, and a per-address default that follows a lower total', () => {
    const defaults = loadConfig({}).limits;
    expect(defaults).toEqual({
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 512,
      maxConnectionsPerAddress: 128,
      maxInFlight: 256,
      turnBudgetMs: 25,
    });
    expect(loadConfig({ KEYLEDGER_MAX_CONNECTIONS: '64' }).limits.maxConnectionsPerAddress).toBe(64);
    expect(() => loadConfig({ KEYLEDGER_MAX_CONNECTIONS: '64', KEYLEDGER_MAX_CONNECTIONS_PER_ADDRESS: '65' })).toThrow(
      /KEYLEDGER_MAX_CONNECTIONS_PER_ADDRESS must be an integer from 1 to 64/,
    );
    expect(() => loadConfig({ KEYLEDGER_REQUEST_TIMEOUT_MS: '600001' })).toThrow(/KEYLEDGER_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ KEYLEDGER_BODY_LIMIT_BYTES: '1000' })).toThrow(/KEYLEDGER_BODY_LIMIT_BYTES/);
    // 0 turns the bound on a turn's time off (http/turn-pacing.ts); past 10 s it would bound nothing a client sees.
    expect(loadConfig({ KEYLEDGER_TURN_BUDGET_MS: '0' }).limits.turnBudgetMs).toBe(0);
    expect(loadConfig({ KEYLEDGER_TURN_BUDGET_MS: '10000' }).limits.turnBudgetMs).toBe(10_000);
    expect(() => loadConfig({ KEYLEDGER_TURN_BUDGET_MS: '10001' })).toThrow(
      "KEYLEDGER_TURN_BUDGET_MS must be an integer from 0 to 10000, got '10001'",
    );
    expect(() => loadConfig({ KEYLEDGER_TURN_BUDGET_MS: '-1' })).toThrow(/KEYLEDGER_TURN_BUDGET_MS/);
  });
});
