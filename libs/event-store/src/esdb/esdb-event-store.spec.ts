import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStoreContract } from '../contract/event-store.contract.js';
import { createEventStore } from '../create-event-store.js';
import { EventStoreError, EventStoreUnavailableError } from '../event-store.port.js';
import { appendCredentialsOf, normaliseConnectionString } from './esdb-connection-string.js';
import { EsdbEventStore } from './esdb-event-store.js';

// No EventStoreDB server can run on the development machines (no Docker
// engine), so the contract leg against a real server runs only when a
// connection string is given, e.g. in CI with a KurrentDB service container.
const url = process.env.KEYLEDGER_ESDB_TEST_URL;

describe.skipIf(!url)(
  'EventStoreDB adapter (skipped: set KEYLEDGER_ESDB_TEST_URL=esdb://localhost:2113?tls=false to run; no Docker engine on these machines)',
  () => {
    eventStoreContract('EsdbEventStore', async () => {
      let current = new EsdbEventStore(url!);
      return {
        store: current,
        reopen: async () => (current = new EsdbEventStore(url!)),
        // Streams have unique names per test, so a shared server needs no clean-up.
        cleanup: () => current.close(),
      };
    });
  },
);

// These need no server: constructing a client does not connect.
describe('EventStoreDB adapter wiring (no server needed)', () => {
  it.each([
    ['kurrentdb://admin:changeit@db:2113?tls=false', 'esdb://admin:changeit@db:2113?tls=false'],
    ['KurrentDB+discover://a,b,c', 'esdb+discover://a,b,c'],
    ['kurrent://db:2113', 'esdb://db:2113'],
    ['kdb+discover://db:2113', 'esdb+discover://db:2113'],
    ['ESDB://db:2113', 'esdb://db:2113'],
    ['esdb://db:2113', 'esdb://db:2113'],
  ])('rewrites %s to the scheme the 6.x client parses', (given, expected) => {
    expect(normaliseConnectionString(given)).toBe(expected);
  });

  it.each([
    'esdb://localhost:2113?tls=false',
    'kurrentdb://localhost:2113?tls=false',
    'kurrent://localhost:2113?tls=false',
    'kdb://localhost:2113?tls=false',
    'ESDB://localhost:2113?tls=false',
    'esdb+discover://admin:changeit@localhost:2113',
  ])('createEventStore picks EsdbEventStore for %s', async (eventStoreUrl) => {
    const store = createEventStore({ dataDir: `/nonexistent/${randomUUID()}`, eventStoreUrl });
    expect(store).toBeInstanceOf(EsdbEventStore);
    await store.close();
  });

  it('refuses another scheme clearly', () => {
    expect(() => createEventStore({ dataDir: '/x', eventStoreUrl: 'postgres://db' })).toThrow(
      /Unsupported event store URL scheme 'postgres:'/,
    );
  });

  it('appends with the connection string credentials, so never through the client batch path', () => {
    expect(appendCredentialsOf('esdb://admin:changeit@db:2113')).toEqual({ username: 'admin', password: 'changeit' });
    // Ignored by the client in insecure mode, but present, which is what selects the unary append.
    expect(appendCredentialsOf('esdb://db:2113?tls=false')).toBeTruthy();
    expect(() => appendCredentialsOf('esdb://db:2113')).toThrow(EventStoreError);
  });

  it('validates appends before contacting the server', async () => {
    const store = new EsdbEventStore('esdb://localhost:1?tls=false');
    await expect(store.appendToStream('', [{ type: 'T', data: {} }])).rejects.toMatchObject({
      name: 'InvalidAppendError',
    });
    await store.close();
  });
});

/** A port on 127.0.0.1 that was just free: connecting to it is refused. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The real client against local endpoints only (no traffic leaves 127.0.0.1).
describe('EventStoreDB adapter start-up against a wrong endpoint (real client, 127.0.0.1 only)', () => {
  let notEventStore: Server;
  let notEventStorePort: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Speaks no HTTP/2: what a mistyped port of some other service looks like.
    notEventStore = createServer((socket) => {
      sockets.add(socket);
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => notEventStore.listen(0, '127.0.0.1', resolve));
    notEventStorePort = (notEventStore.address() as AddressInfo).port;
  });
  afterAll(async () => {
    // The client may still hold a connection it keeps retrying on.
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => notEventStore.close(() => resolve()));
  });

  it('a subscription against a refused port fails through onError within its deadline, with the cause', async () => {
    const store = new EsdbEventStore(`esdb://127.0.0.1:${await refusedPort()}?tls=false`, {
      startupRetries: 2,
      startupDeadlineMs: 5_000,
      retryMinDelayMs: 10,
      log: () => undefined,
    });
    const started = Date.now();
    const error = await new Promise<Error>((resolve, reject) =>
      store.subscribeToAll(
        {},
        { onEvent: () => undefined, onCaughtUp: () => reject(new Error('caught up?')), onError: resolve },
      ),
    );
    expect(Date.now() - started).toBeLessThan(5_000 + 1_000);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(error.message).toMatch(/could not catch up with EventStoreDB: 3 attempt\(s\)/);
    expect(error.cause).toBeInstanceOf(EventStoreUnavailableError);
    await store.close();
  });

  it('checkConnection against a refused port rejects within its deadline with the cause', async () => {
    const store = new EsdbEventStore(`esdb://127.0.0.1:${await refusedPort()}?tls=false`);
    const started = Date.now();
    const error = await store.checkConnection(3_000).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000 + 1_000);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    await store.close();
  });

  it('checkConnection against an endpoint that is not EventStoreDB fails within its deadline', async () => {
    const store = new EsdbEventStore(`esdb://127.0.0.1:${notEventStorePort}?tls=false`);
    const started = Date.now();
    const error = await store.checkConnection(3_000).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000 + 1_000);
    expect(error).toBeInstanceOf(EventStoreError);
    expect((error as Error).message).toMatch(/EventStoreDB/);
    await store.close();
  });
});
