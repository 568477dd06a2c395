import { randomUUID } from 'node:crypto';
import { START } from '@eventstore/db-client';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { eventStoreContract } from '../contract/event-store.contract.js';
import { FakeEsdbClient, MAX_APPEND_SIZE } from '../contract/esdb-fake-client.js';
import type { Fault } from '../contract/esdb-fake-client.js';
import type { RecordedEvent } from '../event-store.port.js';
import {
  AppendTooLargeError,
  EventStoreAccessDeniedError,
  EventStoreError,
  EventStoreUnavailableError,
  InvalidPositionError,
  NO_STREAM,
  NotLeaderError,
  StreamDeletedError,
} from '../event-store.port.js';
import { EsdbEventStore } from './esdb-event-store.js';
import type { EsdbEventStoreOptions } from './esdb-event-store.js';

// The double (contract/esdb-fake-client.ts) follows the server's documented
// behaviour, rule by rule; it checks the adapter's translation, not the wire
// protocol. The real-server leg is esdb-event-store.spec.ts.

const CREDENTIALS = { username: 'admin', password: 'changeit' };

function fakeStore(client: FakeEsdbClient, options: EsdbEventStoreOptions = {}): EsdbEventStore {
  return new EsdbEventStore(client as unknown as EventStoreDBClient, {
    appendCredentials: CREDENTIALS,
    log: () => undefined,
    ...options,
  });
}

eventStoreContract('EsdbEventStore over an in-memory client double', async () => {
  const client = new FakeEsdbClient();
  let current = fakeStore(client);
  return {
    store: current,
    reopen: async () => (current = fakeStore(client)),
    cleanup: () => current.close(),
  };
});

describe('EsdbEventStore translation details (client double)', () => {
  it('reports each event of a multi-event append at its own position, the append at its last', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    const a = await store.appendToStream('s', [{ type: 'A', data: { x: 1 } }]);
    const b = await store.appendToStream('s', [
      { type: 'B', data: {} },
      { type: 'C', data: {} },
    ]);
    expect(a.position).toBe(client.log[0]!.position.commit);
    const [, bEvent, cEvent] = await store.readStream('s');
    expect(bEvent!.position).toBeLessThan(cEvent!.position);
    expect(b.position).toBe(cEvent!.position);
    // Resuming after B delivers C: B's position is exact, not shared with C.
    expect((await store.readAll({ after: bEvent!.position })).map((e) => e.type)).toEqual(['C']);
    await store.close();
  });

  it('refuses a read from a position that is not a record boundary with InvalidPositionError', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    const { position } = await store.appendToStream('s', [{ type: 'A', data: {} }]);
    const error = await store.readAll({ after: position + 1n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidPositionError);
    expect(error).toMatchObject({ position: position + 1n });
    await store.close();
  });

  it('maps MaxAppendSizeExceeded to AppendTooLargeError, and nothing is written', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    const big = 'x'.repeat(MAX_APPEND_SIZE / 2);
    const error = await store
      .appendToStream('s', [
        { type: 'A', data: { big } },
        { type: 'B', data: { big } },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppendTooLargeError);
    expect(error).toMatchObject({ streamName: 's', maxAppendSize: MAX_APPEND_SIZE });
    expect(await store.streamRevision('s')).toBe(NO_STREAM);
    await store.close();
  });

  it('refuses NO_STREAM on a soft-deleted stream instead of continuing its old revisions', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    await store.appendToStream('s', [
      { type: 'A', data: {} },
      { type: 'B', data: {} },
    ]);
    client.deleteStream('s');
    expect(await store.streamRevision('s')).toBe(NO_STREAM);
    const error = await store
      .appendToStream('s', [{ type: 'C', data: {} }], { expectedRevision: NO_STREAM })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect(client.log.filter((e) => e.type === 'C')).toEqual([]);
  });

  it('maps a tombstoned stream, access denied and a raw gRPC error to port errors', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    client.tombstoneStream('gone');
    await expect(store.appendToStream('gone', [{ type: 'A', data: {} }])).rejects.toBeInstanceOf(StreamDeletedError);
    const faults: [Fault, typeof EventStoreError][] = [
      ['access-denied', EventStoreAccessDeniedError],
      ['raw-unavailable', EventStoreUnavailableError],
      ['refused', EventStoreUnavailableError],
    ];
    for (const [fault, expected] of faults) {
      client.fault = fault;
      const error = await store.appendToStream('s', [{ type: 'A', data: {} }]).catch((e: unknown) => e);
      expect(error, fault).toBeInstanceOf(expected);
      expect((error as Error).cause, fault).toBeDefined();
    }
    client.fault = undefined;
  });

  it('follows the leader once on NotLeader, and fails clearly when that fails too', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    client.notLeaderAppends = 1;
    expect((await store.appendToStream('s', [{ type: 'A', data: {} }])).nextExpectedRevision).toBe(0n);
    client.notLeaderAppends = 2;
    const error = await store.appendToStream('s', [{ type: 'B', data: {} }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotLeaderError);
    expect((error as Error).message).toContain('leader:2113');
    expect(await store.streamRevision('s')).toBe(0n);
  });

  it('never takes the client batch-append path: every append carries per-call credentials', async () => {
    const client = new FakeEsdbClient();
    const store = new EsdbEventStore(client as unknown as EventStoreDBClient, { log: () => undefined });
    await expect(store.appendToStream('s', [{ type: 'A', data: {} }])).rejects.toThrow(/batch-append path/);
  });

  it('keeps its store identity in a $ stream that no read of the ledger shows', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    const identity = await store.storeIdentity();
    expect(identity.engine).toBe('eventstoredb');
    expect(await fakeStore(client).storeIdentity()).toEqual(identity);
    expect(await fakeStore(new FakeEsdbClient()).storeIdentity()).not.toEqual(identity);
    expect(client.log.some((e) => e.streamId.startsWith('$keyledger'))).toBe(true);
    expect(await store.readAll()).toEqual([]);
  });

  it('resubscribes after a dropped subscription from the last delivered event, with nothing repeated', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    await store.appendToStream('s', [{ type: 'E', data: { i: 0 } }]);
    client.dropAfter = [2, 1];
    const seen: RecordedEvent[] = [];
    let done!: () => void;
    const allSeen = new Promise<void>((r) => (done = r));
    let caughtUp = 0;
    let markCaughtUp!: () => void;
    const isCaughtUp = new Promise<void>((r) => (markCaughtUp = r));
    const subscription = store.subscribeToAll(
      { after: 'start' },
      {
        onEvent: (e) => {
          seen.push(e);
          if (seen.length === 6) done();
        },
        onCaughtUp: () => {
          caughtUp++;
          markCaughtUp();
        },
      },
    );
    await isCaughtUp;
    // Live from here: the first subscription drops after 2 events, the second after 1.
    for (let i = 1; i < 6; i++) await store.appendToStream('s', [{ type: 'E', data: { i } }]);
    await allSeen;
    await subscription.unsubscribe();
    expect(seen.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(caughtUp).toBe(1);
    expect(client.subscribeCalls.map((p) => (p === START ? p : p.commit))).toEqual([
      seen[0]!.position,
      seen[2]!.position,
      seen[3]!.position,
    ]);
    await store.close();
  });

  it('maps the client WrongExpectedVersionError to the port error with the actual revision', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    await store.appendToStream('s', [{ type: 'A', data: {} }]);
    await expect(
      store.appendToStream('s', [{ type: 'B', data: {} }], { expectedRevision: 'no_stream' }),
    ).rejects.toMatchObject({
      name: 'WrongExpectedVersionError',
      streamName: 's',
      expected: 'no_stream',
      actual: 0n,
    });
    await store.close();
  });
});

/** Subscribes and resolves with what ended the subscription before its first catch-up. */
function startUp(store: EsdbEventStore): Promise<{ error?: Error; caughtUp: boolean; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    store.subscribeToAll(
      { after: 'start' },
      {
        onEvent: () => undefined,
        onCaughtUp: () => resolve({ caughtUp: true, ms: Date.now() - started }),
        onError: (error) => resolve({ error, caughtUp: false, ms: Date.now() - started }),
      },
    );
  });
}

describe('EsdbEventStore start-up against a node that is not there (client double)', () => {
  const quick = { retryMinDelayMs: 5, retryMaxDelayMs: 20 };

  it('gives up after its capped retries through onError, with the cause, each retry logged', async () => {
    const client = new FakeEsdbClient();
    client.fault = 'refused';
    const lines: string[] = [];
    const store = fakeStore(client, { ...quick, startupRetries: 3, logEveryMs: 0, log: (m) => lines.push(m) });
    const { error, caughtUp } = await startUp(store);
    expect(caughtUp).toBe(false);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(error!.message).toMatch(/4 attempt\(s\).*ECONNREFUSED/);
    expect(client.calls.filter((c) => c === 'readAll')).toHaveLength(4);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/ECONNREFUSED; attempt 1 failed, retrying in 5 ms/);
    await store.close();
  });

  it('rate-limits its retry lines and says how many it held back', async () => {
    const client = new FakeEsdbClient();
    client.fault = 'refused';
    const lines: string[] = [];
    const store = fakeStore(client, { ...quick, startupRetries: 4, logEveryMs: 60_000, log: (m) => lines.push(m) });
    await startUp(store);
    expect(lines).toHaveLength(1);
    await store.close();
  });

  it('gives up when its start-up deadline passes on a node that never answers', async () => {
    const client = new FakeEsdbClient();
    client.fault = 'black-hole';
    const store = fakeStore(client, { ...quick, startupDeadlineMs: 200 });
    const { error, ms } = await startUp(store);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(error!.message).toMatch(/did not answer within/);
    expect(ms).toBeGreaterThanOrEqual(150);
    await store.close();
  });

  it.each<[Fault, typeof EventStoreError]>([
    ['not-eventstoredb', EventStoreError],
    ['access-denied', EventStoreAccessDeniedError],
  ])('treats %s as fatal: no retry', async (fault, expected) => {
    const client = new FakeEsdbClient();
    client.fault = fault;
    const store = fakeStore(client, quick);
    const { error } = await startUp(store);
    expect(error).toBeInstanceOf(expected);
    expect(error).not.toBeInstanceOf(EventStoreUnavailableError);
    expect(client.calls.filter((c) => c === 'readAll')).toHaveLength(1);
    await store.close();
  });

  it('checkConnection answers within its deadline, with the cause', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    await expect(store.checkConnection(1000)).resolves.toBeUndefined();
    client.fault = 'black-hole';
    await expect(store.checkConnection(100)).rejects.toThrow(/did not answer within 100 ms/);
    client.fault = 'access-denied';
    await expect(store.checkConnection(100)).rejects.toBeInstanceOf(EventStoreAccessDeniedError);
    await store.close();
  });

  it('a handler error is still the handler error', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    await store.appendToStream(`s-${randomUUID()}`, [{ type: 'A', data: {} }]);
    const error = await new Promise<Error>((resolve) =>
      store.subscribeToAll(
        {},
        {
          onEvent: () => {
            throw new Error('projection bug');
          },
          onError: resolve,
        },
      ),
    );
    expect(error.message).toBe('projection bug');
    await store.close();
  });
});
