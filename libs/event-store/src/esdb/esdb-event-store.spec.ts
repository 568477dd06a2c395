import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventStoreContract } from '../contract/event-store.contract.js';
import { createEventStore } from '../create-event-store.js';
import { EsdbEventStore, normaliseConnectionString } from './esdb-event-store.js';

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
  it('rewrites kurrentdb:// schemes to the esdb:// ones the 6.x client parses', () => {
    expect(normaliseConnectionString('kurrentdb://admin:changeit@db:2113?tls=false')).toBe(
      'esdb://admin:changeit@db:2113?tls=false',
    );
    expect(normaliseConnectionString('KurrentDB+discover://a,b,c')).toBe('esdb+discover://a,b,c');
    expect(normaliseConnectionString('esdb://db:2113')).toBe('esdb://db:2113');
  });

  it.each([
    'esdb://localhost:2113?tls=false',
    'kurrentdb://localhost:2113?tls=false',
    'esdb+discover://localhost:2113',
  ])('createEventStore picks EsdbEventStore for %s', async (eventStoreUrl) => {
    const store = createEventStore({ dataDir: `/nonexistent/${randomUUID()}`, eventStoreUrl });
    expect(store).toBeInstanceOf(EsdbEventStore);
    await store.close();
  });

  it('validates appends before contacting the server', async () => {
    const store = new EsdbEventStore('esdb://localhost:1?tls=false');
    await expect(store.appendToStream('', [{ type: 'T', data: {} }])).rejects.toMatchObject({
      name: 'InvalidAppendError',
    });
    await store.close();
  });
});
