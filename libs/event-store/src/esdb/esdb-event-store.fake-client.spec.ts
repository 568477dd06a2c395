import { randomUUID } from 'node:crypto';
import {
  START,
  StreamNotFoundError as EsdbStreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
} from '@eventstore/db-client';
import type { EventStoreDBClient, Position } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { eventStoreContract } from '../contract/event-store.contract.js';
import type { RecordedEvent } from '../event-store.port.js';
import { EsdbEventStore } from './esdb-event-store.js';

// No EventStoreDB server can run here, so this in-memory double of the client
// reproduces the server behaviours the adapter has to translate: sparse commit
// positions, readAll inclusive of its start and unfiltered (system events
// included), subscribeToAll exclusive and filtered, errors as the client's
// classes. It checks the adapter's mapping logic, not the wire protocol; the
// real-server leg is esdb-event-store.spec.ts.

interface StoredEvent {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  created: Date;
  data: unknown;
  metadata: unknown;
  isJson: true;
  position: Position;
}

type Live = { from: Position | undefined; regex: RegExp | undefined; push(): void };

class FakeEsdbClient {
  readonly log: StoredEvent[] = [];
  private nextPosition = 4096n;
  private appends = 0;
  private readonly live = new Set<Live>();
  /** Fault injection: the next live subscriptions fail after delivering this many events. */
  dropAfter: number[] = [];
  subscribeCalls: (Position | typeof START)[] = [];

  private write(streamId: string, type: string, id: string, data: unknown, metadata: unknown, revision: bigint) {
    const position = { commit: this.nextPosition, prepare: this.nextPosition };
    // Sparse, like byte offsets in the transaction file.
    this.nextPosition += 97n + BigInt(JSON.stringify(data).length);
    const event: StoredEvent = {
      streamId,
      id,
      type,
      revision,
      created: new Date(),
      data,
      metadata,
      isJson: true,
      position,
    };
    this.log.push(event);
    return event;
  }

  private current(streamName: string): bigint | 'no_stream' {
    let last: bigint | 'no_stream' = 'no_stream';
    for (const e of this.log) if (e.streamId === streamName) last = e.revision;
    return last;
  }

  async appendToStream(
    streamName: string,
    events: { id: string; type: string; data: unknown; metadata?: unknown }[],
    options: { expectedRevision?: unknown } = {},
  ) {
    const expected = (options.expectedRevision ?? 'any') as bigint | 'any' | 'no_stream' | 'stream_exists';
    const current = this.current(streamName);
    const conflict =
      expected === 'no_stream'
        ? current !== 'no_stream'
        : expected === 'stream_exists'
          ? current === 'no_stream'
          : expected === 'any'
            ? false
            : current !== expected;
    if (conflict) throw new EsdbWrongExpectedVersionError(undefined, { streamName, expected, current });
    let revision = current === 'no_stream' ? -1n : current;
    let last: StoredEvent | undefined;
    for (const e of events) last = this.write(streamName, e.type, e.id, e.data, e.metadata, ++revision);
    // Interleave system events as a real server does, so the adapter must filter them.
    if (++this.appends % 3 === 0) this.write('$stats-127.0.0.1:2113', '$statsCollected', randomUUID(), {}, {}, 0n);
    for (const l of this.live) l.push();
    return { success: true, nextExpectedRevision: revision, position: last!.position };
  }

  readStream(
    streamName: string,
    options: { direction?: string; fromRevision?: bigint | 'start' | 'end'; maxCount?: number | bigint } = {},
  ) {
    const log = this.log;
    return (async function* () {
      const events = log.filter((e) => e.streamId === streamName);
      if (events.length === 0) throw new EsdbStreamNotFoundError(undefined, streamName);
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      let selected = backwards
        ? events.filter((e) => from === 'end' || (from !== 'start' ? e.revision <= from : e.revision <= 0n)).reverse()
        : events.filter((e) => from === 'start' || (from !== 'end' ? e.revision >= from : false));
      selected = selected.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
      for (const event of selected) yield { event, commitPosition: event.position.commit };
    })();
  }

  readAll(options: { fromPosition?: Position | 'start' | 'end'; maxCount?: number | bigint } = {}) {
    const from = options.fromPosition ?? 'start';
    const log = this.log;
    return (async function* () {
      // Inclusive of fromPosition, like the server.
      const selected = log
        .filter((e) => from === 'start' || (from !== 'end' && e.position.commit >= from.commit))
        .slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
      for (const event of selected) yield { event, commitPosition: event.position.commit };
    })();
  }

  subscribeToAll(options: { fromPosition?: Position | 'start'; filter?: { regex?: string } } = {}) {
    // The async generator below is not an arrow function and needs the client.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const client = this;
    this.subscribeCalls.push(options.fromPosition ?? START);
    const dropAfter = this.dropAfter.shift();
    let wake: (() => void) | undefined;
    let ended = false;
    const live: Live = {
      from: options.fromPosition === 'start' || !options.fromPosition ? undefined : options.fromPosition,
      regex: options.filter?.regex ? new RegExp(options.filter.regex) : undefined,
      push: () => wake?.(),
    };
    this.live.add(live);
    const end = () => {
      ended = true;
      client.live.delete(live);
      wake?.();
    };
    async function* iterate() {
      let delivered = 0;
      let cursor = live.from;
      try {
        while (!ended) {
          // Exclusive of fromPosition, like the server.
          const next = client.log.find(
            (e) => (!cursor || e.position.commit > cursor.commit) && (!live.regex || live.regex.test(e.type)),
          );
          if (!next) {
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          if (dropAfter !== undefined && delivered === dropAfter) throw new UnavailableError(undefined as never);
          cursor = next.position;
          delivered++;
          yield { event: next, commitPosition: next.position.commit };
        }
      } finally {
        end();
      }
    }
    const iterator = iterate();
    return {
      [Symbol.asyncIterator]: () => iterator,
      unsubscribe: async () => end(),
      destroy: () => end(),
    };
  }

  async dispose(): Promise<void> {}
}

function fakeStore(client: FakeEsdbClient): EsdbEventStore {
  return new EsdbEventStore(client as unknown as EventStoreDBClient);
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
  it('reports the commit position, which is sparse, as the port position', async () => {
    const client = new FakeEsdbClient();
    const store = fakeStore(client);
    const a = await store.appendToStream('s', [{ type: 'A', data: { x: 1 } }]);
    const b = await store.appendToStream('s', [{ type: 'B', data: {} }]);
    expect(a.position).toBe(client.log[0].position.commit);
    expect(b.position - a.position).toBeGreaterThan(1n);
    await store.close();
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
      seen[0].position,
      seen[2].position,
      seen[3].position,
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
