import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { keepAliveGet } from './raw-http.js';

// Two addresses of one /64 and one of another, on the loopback interface, so that
// connections really come from them. Only root can add addresses; elsewhere the
// grouping is held by apps/keyledger/src/http/connection-source.spec.ts alone.
const SAME_64 = ['fd00:6b6c:0:1::a', 'fd00:6b6c:0:1::b'];
const OTHER_64 = 'fd00:6b6c:0:2::a';

function addAddresses(): boolean {
  try {
    for (const address of [...SAME_64, OTHER_64])
      execFileSync('ip', ['-6', 'addr', 'add', `${address}/64`, 'dev', 'lo', 'nodad'], { stdio: 'pipe' });
    return true;
  } catch {
    removeAddresses();
    return false;
  }
}

function removeAddresses(): void {
  for (const address of [...SAME_64, OTHER_64]) {
    try {
      execFileSync('ip', ['-6', 'addr', 'del', `${address}/64`, 'dev', 'lo'], { stdio: 'pipe' });
    } catch {
      // Not added.
    }
  }
}

async function from(localAddress: string, port: number): Promise<Socket> {
  const socket = connect({ host: '::1', port, localAddress });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

describe('the per-source connection limit counts an IPv6 /64 as one source (issue 11 point 1)', () => {
  let h: Harness | undefined;
  let added = false;
  beforeAll(async () => {
    added = addAddresses();
    if (added) h = await startKeyledger({ host: '::1', env: { KEYLEDGER_MAX_CONNECTIONS_PER_ADDRESS: '2' } });
  });
  afterAll(async () => {
    await h?.close();
    if (added) removeAddresses();
  });

  it('a second address of the same /64 is refused 429 once the /64 holds the limit; another /64 is admitted', async (ctx) => {
    if (!h) return ctx.skip('adding IPv6 addresses to the loopback interface needs root');
    const port = Number(new URL(h.url).port);
    const held = [await from(SAME_64[0]!, port), await from(SAME_64[0]!, port)];
    for (const socket of held) expect((await keepAliveGet(socket, '/healthz')).status).toBe(200);

    const sameSubnet = await from(SAME_64[1]!, port);
    const refused = await keepAliveGet(sameSubnet, '/healthz');
    expect(refused.status).toBe(429);
    expect(refused.json?.__type).toBe('ThrottlingException');

    const otherSubnet = await from(OTHER_64, port);
    expect((await keepAliveGet(otherSubnet, '/healthz')).status).toBe(200);
    for (const socket of [...held, sameSubnet, otherSubnet]) socket.destroy();
  });
});
