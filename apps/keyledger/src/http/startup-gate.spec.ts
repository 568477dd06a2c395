import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortFree, listenEarly, urlOf } from './listen.js';
import { catchUpMessage, StartupGate } from './startup-gate.js';

describe('catchUpMessage', () => {
  it('counts events where the store counts them, and says when the view has caught up', () => {
    expect(catchUpMessage({ position: 10n, head: 40n })).toBe(
      'the ledger view is catching up: 10 of 40 events replayed',
    );
    expect(catchUpMessage({ position: 'start', head: 40n })).toBe(
      'the ledger view is catching up: 0 of 40 events replayed',
    );
    expect(catchUpMessage({ position: 40n, head: 40n })).toBe(
      'the ledger view has caught up (40 events); the server is finishing its start',
    );
    expect(catchUpMessage({ position: 7n, head: undefined })).toBe(
      'the ledger view is catching up: it is at position 7 of the store',
    );
  });
});

describe('StartupGate', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  async function serve(gate: StartupGate): Promise<string> {
    server = createServer(gate.hold((_request, response) => response.end('served')));
    await listenEarly(server, 0, '127.0.0.1');
    return urlOf(server, false);
  }

  it('answers health, readiness with progress and AWS-shaped 503s until opened, then hands every request on', async () => {
    const gate = new StartupGate();
    gate.follow(async () => ({ position: 3n, head: 9n }));
    const url = await serve(gate);

    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${url}/readyz?verbose`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      __type: 'ServiceUnavailableException',
      message: 'not ready: the ledger view is catching up: 3 of 9 events replayed',
      status: 'catching up',
      progress: { position: 3, head: 9 },
    });
    const kms = await fetch(url, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys' }, body: '{}' });
    expect(kms.status).toBe(503);
    expect(kms.headers.get('retry-after')).toBe('1');
    expect(kms.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await kms.json()).toEqual({
      __type: 'DependencyTimeoutException',
      message: 'The server is starting: the ledger view is catching up: 3 of 9 events replayed. It can be retried.',
    });
    const ledger = await fetch(`${url}/v1/keys`);
    expect([ledger.status, ((await ledger.json()) as { __type: string }).__type]).toEqual([
      503,
      'ServiceUnavailableException',
    ]);
    const postHealth = await fetch(`${url}/healthz`, { method: 'POST' });
    expect(postHealth.status).toBe(503);

    expect(gate.isOpen).toBe(false);
    gate.open();
    expect(gate.isOpen).toBe(true);
    for (const path of ['/healthz', '/readyz', '/']) expect(await (await fetch(`${url}${path}`)).text()).toBe('served');
  });

  it('still answers readiness when the progress cannot be read', async () => {
    const gate = new StartupGate();
    gate.follow(() => Promise.reject(new Error('closed')));
    const url = await serve(gate);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ message: 'not ready: the server is starting', progress: null });
  });
});

describe('listening', () => {
  it('reports a port in use in one line naming it, and lets a free port (or any port) pass', async () => {
    const holder = createServer();
    await listenEarly(holder, 0, '127.0.0.1');
    const { port } = holder.address() as AddressInfo;
    try {
      await expect(assertPortFree(port, '127.0.0.1')).rejects.toThrow(
        `127.0.0.1:${port} is already in use by another process: stop it, or set PORT (or HOST) to a free one`,
      );
      await expect(listenEarly(createServer(), port, '127.0.0.1')).rejects.toThrow(/already in use/);
    } finally {
      await new Promise((done) => holder.close(done));
    }
    await expect(assertPortFree(port, '127.0.0.1')).resolves.toBeUndefined();
    await expect(assertPortFree(0, '127.0.0.1')).resolves.toBeUndefined();
  });

  it('says a HOST that is not an address of this machine is one', async () => {
    await expect(assertPortFree(1, '192.0.2.1')).rejects.toThrow(
      'HOST 192.0.2.1 is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its addresses',
    );
  });

  it('prints a wildcard address as the loopback a local client uses', async () => {
    const server = createServer();
    await listenEarly(server, 0, '0.0.0.0');
    try {
      expect(urlOf(server, true)).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
