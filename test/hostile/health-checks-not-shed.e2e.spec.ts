import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { exchange, open } from './raw-http.js';

/** At most this many tries for the server to count the held request in flight (each a whole exchange, no wait). */
const TRIES = 50;

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

describe('health checks are never shed, whatever is in flight (issue 11)', () => {
  let h: Harness;
  let port: number;
  let held: Socket;
  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_MAX_IN_FLIGHT: '1' } });
    port = Number(new URL(h.url).port);
    // One request in flight for as long as its body is not sent: the only slot is taken.
    held = await open(port);
    held.write(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n' +
        'X-Amz-Target: TrentService.ListKeys\r\nContent-Length: 100\r\n\r\n{',
    );
  });
  afterAll(async () => {
    held?.destroy();
    await h?.close();
  });

  it('sheds other requests as ThrottlingException, and answers /healthz and /readyz 200 meanwhile', async () => {
    let shed = false;
    for (let i = 0; i < TRIES && !shed; i++) {
      const answer = await exchange(port, get('/v1/keys'));
      shed = answer.status === 503 && answer.json?.__type === 'ThrottlingException';
    }
    expect(shed).toBe(true);
    const health = await exchange(port, get('/healthz'));
    expect(health.status).toBe(200);
    const ready = await exchange(port, get('/readyz'));
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ready' });
    // Still shed after: the slot was held throughout, so the two above were exempt, not lucky.
    expect((await exchange(port, get('/v1/keys'))).json?.__type).toBe('ThrottlingException');
  });
});
