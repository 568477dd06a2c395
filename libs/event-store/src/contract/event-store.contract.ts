import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ANY,
  InvalidAppendError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../event-store.port.js';
import type { EventStore, JsonObject, RecordedEvent, Subscription } from '../event-store.port.js';

export interface ContractFixture {
  store: EventStore;
  /** Opens a new store on the same data; the suite closes `store` first. */
  reopen?: () => Promise<EventStore>;
  cleanup(): Promise<void>;
}

const WAIT_TIMEOUT_MS = 10_000;

/**
 * Collects what a subscription delivers, restricted to the test's own streams
 * so the suite also runs against a shared EventStoreDB with other traffic.
 * Tests wait on `until`, which resolves as soon as the events arrived and fails
 * the test after a timeout: no sleeping.
 */
class Collector {
  readonly events: RecordedEvent[] = [];
  caughtUpAfter: number | undefined;
  caughtUpCalls = 0;
  private waiters: { count: number; resolve(): void }[] = [];
  private caughtUpWaiters: (() => void)[] = [];

  constructor(private readonly streams: Set<string>) {}

  readonly handler = {
    onEvent: (event: RecordedEvent) => {
      if (!this.streams.has(event.streamName)) return;
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => (this.events.length >= w.count ? (w.resolve(), false) : true));
    },
    onCaughtUp: () => {
      this.caughtUpCalls++;
      this.caughtUpAfter ??= this.events.length;
      for (const resolve of this.caughtUpWaiters.splice(0)) resolve();
    },
  };

  until(count: number): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => this.waiters.push({ count, resolve })),
      `expected ${count} events, got ${this.events.length}`,
    );
  }

  caughtUp(): Promise<void> {
    if (this.caughtUpCalls > 0) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => this.caughtUpWaiters.push(resolve)), 'never caught up');
  }

  ids(): string[] {
    return this.events.map((e) => e.id);
  }
}

function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out: ${message}`)), WAIT_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function uniqueStream(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

function evt(type: string, data: JsonObject = {}, metadata?: JsonObject) {
  return { id: randomUUID(), type, data, ...(metadata ? { metadata } : {}) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

export function eventStoreContract(name: string, factory: () => Promise<ContractFixture>): void {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: ContractFixture;
    let store: EventStore;
    const subscriptions: Subscription[] = [];

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.unsubscribe()));
      await fixture.cleanup();
    });

    describe('append and expected revisions', () => {
      it('appends events with dense 0-based revisions and returns the next expected revision', async () => {
        const stream = uniqueStream('acct');
        const first = await store.appendToStream(stream, [evt('Opened', { n: 1 })], { expectedRevision: NO_STREAM });
        expect(first.nextExpectedRevision).toBe(0n);
        const second = await store.appendToStream(stream, [evt('A'), evt('B')], { expectedRevision: 0n });
        expect(second.nextExpectedRevision).toBe(2n);
        expect(second.position).toBeGreaterThan(first.position);
        expect(await store.streamRevision(stream)).toBe(2n);

        const events = await store.readStream(stream);
        expect(events.map((e) => [e.type, e.revision])).toEqual([
          ['Opened', 0n],
          ['A', 1n],
          ['B', 2n],
        ]);
        expect(events[2].position).toBe(second.position);
      });

      it('round-trips id, type, data, metadata, stream name and recorded time', async () => {
        const stream = uniqueStream('roundtrip');
        const event = evt('KeyCreated', { keyId: 'k-1', nested: { list: [1, 'two', null, true] } }, { actor: 'alice' });
        const before = Date.now();
        await store.appendToStream(stream, [event]);
        const [read] = await store.readStream(stream);
        expect(read.id).toBe(event.id);
        expect(read.streamName).toBe(stream);
        expect(read.type).toBe('KeyCreated');
        expect(read.data).toEqual(event.data);
        expect(read.metadata).toEqual({ actor: 'alice' });
        expect(read.recordedAt).toBeInstanceOf(Date);
        // Generous bounds: a remote server's clock is not ours.
        expect(Math.abs(read.recordedAt.getTime() - before)).toBeLessThan(60_000);
      });

      it('gives an event without metadata an empty metadata object and generates missing ids', async () => {
        const stream = uniqueStream('nometa');
        await store.appendToStream(stream, [{ type: 'T', data: { a: 1 } }]);
        const [read] = await store.readStream(stream);
        expect(read.metadata).toEqual({});
        expect(read.id).toMatch(/^[0-9a-f-]{36}$/i);
      });

      it('NO_STREAM succeeds on a new stream and fails with the actual revision on an existing one', async () => {
        const stream = uniqueStream('nostream');
        await store.appendToStream(stream, [evt('A')], { expectedRevision: NO_STREAM });
        const error = await rejection(store.appendToStream(stream, [evt('B')], { expectedRevision: NO_STREAM }));
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamName: stream, expected: NO_STREAM, actual: 0n });
        expect(await store.streamRevision(stream)).toBe(0n);
      });

      it('STREAM_EXISTS fails on a missing stream (actual NO_STREAM) and succeeds on an existing one', async () => {
        const stream = uniqueStream('exists');
        const error = await rejection(store.appendToStream(stream, [evt('A')], { expectedRevision: STREAM_EXISTS }));
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamName: stream, expected: STREAM_EXISTS, actual: NO_STREAM });
        expect(await store.streamRevision(stream)).toBe(NO_STREAM);

        await store.appendToStream(stream, [evt('A')]);
        const ok = await store.appendToStream(stream, [evt('B')], { expectedRevision: STREAM_EXISTS });
        expect(ok.nextExpectedRevision).toBe(1n);
      });

      it('an exact revision must equal the last revision', async () => {
        const stream = uniqueStream('exact');
        await store.appendToStream(stream, [evt('A'), evt('B')]);
        for (const wrong of [0n, 2n, 5n]) {
          const error = await rejection(store.appendToStream(stream, [evt('C')], { expectedRevision: wrong }));
          expect(error).toBeInstanceOf(WrongExpectedVersionError);
          expect(error).toMatchObject({ streamName: stream, expected: wrong, actual: 1n });
        }
        const missing = uniqueStream('exact-missing');
        const onMissing = await rejection(store.appendToStream(missing, [evt('A')], { expectedRevision: 0n }));
        expect(onMissing).toMatchObject({ streamName: missing, expected: 0n, actual: NO_STREAM });

        const ok = await store.appendToStream(stream, [evt('C')], { expectedRevision: 1n });
        expect(ok.nextExpectedRevision).toBe(2n);
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('ANY never conflicts, on a new or an existing stream', async () => {
        const stream = uniqueStream('any');
        expect((await store.appendToStream(stream, [evt('A')], { expectedRevision: ANY })).nextExpectedRevision).toBe(
          0n,
        );
        expect((await store.appendToStream(stream, [evt('B')], { expectedRevision: ANY })).nextExpectedRevision).toBe(
          1n,
        );
        expect((await store.appendToStream(stream, [evt('C')])).nextExpectedRevision).toBe(2n);
      });

      it('20 concurrent appenders with the same expected revision: exactly one wins', async () => {
        const stream = uniqueStream('race');
        await store.appendToStream(stream, [evt('Seed')], { expectedRevision: NO_STREAM });
        const batches = Array.from({ length: 20 }, (_, i) => [evt('Racer', { i }), evt('Racer2', { i })]);
        const results = await Promise.allSettled(
          batches.map((events) => store.appendToStream(stream, events, { expectedRevision: 0n })),
        );
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const result of results) {
          if (result.status === 'rejected') {
            expect(result.reason).toBeInstanceOf(WrongExpectedVersionError);
            expect(result.reason).toMatchObject({ streamName: stream, expected: 0n, actual: 2n });
          }
        }
        const events = await store.readStream(stream);
        expect(events.slice(1).map((e) => e.id)).toEqual(batches[winners[0]].map((e) => e.id));
        expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      });

      it('a conflicting multi-event append writes none of its events', async () => {
        const stream = uniqueStream('atomic');
        await store.appendToStream(stream, [evt('A')]);
        const batch = [evt('X'), evt('Y'), evt('Z')];
        await expect(store.appendToStream(stream, batch, { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(
          WrongExpectedVersionError,
        );
        const events = await store.readStream(stream);
        expect(events.map((e) => e.type)).toEqual(['A']);
        const ids = new Set<string>(batch.map((e) => e.id));
        const after = await store.readAll({ after: events[0].position, maxCount: 10_000 });
        expect(after.filter((e) => ids.has(e.id))).toEqual([]);
      });
    });

    describe('invalid appends', () => {
      it.each([
        ['an empty stream name', '', [evt('A')]],
        ['a whitespace stream name', '   ', [evt('A')]],
        ['an empty events array', 'STREAM', []],
        ['an empty type', 'STREAM', [{ type: '', data: {} }]],
        ['BigInt data', 'STREAM', [{ type: 'T', data: { n: 1n } as unknown as JsonObject }]],
        ['array data', 'STREAM', [{ type: 'T', data: [1, 2] as unknown as JsonObject }]],
        ['null data', 'STREAM', [{ type: 'T', data: null as unknown as JsonObject }]],
        ['a non-UUID id', 'STREAM', [{ id: 'not-a-uuid', type: 'T', data: {} }]],
      ])('rejects %s with InvalidAppendError and writes nothing', async (_label, streamName, events) => {
        const stream = streamName === 'STREAM' ? uniqueStream('invalid') : streamName;
        await expect(store.appendToStream(stream, events as never)).rejects.toBeInstanceOf(InvalidAppendError);
        if (stream.trim() !== '') expect(await store.streamRevision(stream)).toBe(NO_STREAM);
      });

      it('rejects cyclic data, and a batch with one bad event writes none of the good ones', async () => {
        const stream = uniqueStream('cycle');
        const cyclic: Record<string, unknown> = { a: 1 };
        cyclic.self = cyclic;
        await expect(
          store.appendToStream(stream, [evt('Good'), { type: 'Bad', data: cyclic as JsonObject }]),
        ).rejects.toBeInstanceOf(InvalidAppendError);
        expect(await store.streamRevision(stream)).toBe(NO_STREAM);
        await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('rejects the same event id twice within one append', async () => {
        const stream = uniqueStream('dupe');
        const id = randomUUID();
        await expect(
          store.appendToStream(stream, [
            { id, type: 'A', data: {} },
            { id, type: 'B', data: {} },
          ]),
        ).rejects.toBeInstanceOf(InvalidAppendError);
        expect(await store.streamRevision(stream)).toBe(NO_STREAM);
      });
    });

    describe('readStream', () => {
      let stream: string;
      beforeEach(async () => {
        stream = uniqueStream('read');
        await store.appendToStream(
          stream,
          Array.from({ length: 5 }, (_, i) => evt(`E${i}`, { i })),
        );
      });

      const revisions = (events: RecordedEvent[]) => events.map((e) => Number(e.revision));

      it('reads forwards by default, from an inclusive revision, up to maxCount', async () => {
        expect(revisions(await store.readStream(stream))).toEqual([0, 1, 2, 3, 4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 2n }))).toEqual([2, 3, 4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 1n, maxCount: 2 }))).toEqual([1, 2]);
        expect(revisions(await store.readStream(stream, { fromRevision: 'start', maxCount: 1 }))).toEqual([0]);
        expect(await store.readStream(stream, { fromRevision: 9n })).toEqual([]);
      });

      it('reads backwards from the end or from an inclusive revision', async () => {
        expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 2n }))).toEqual([
          2, 1, 0,
        ]);
        expect(
          revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 'end', maxCount: 2 })),
        ).toEqual([4, 3]);
      });

      it('throws StreamNotFoundError for a stream without events', async () => {
        const missing = uniqueStream('missing');
        const error = await rejection(store.readStream(missing));
        expect(error).toBeInstanceOf(StreamNotFoundError);
        expect(error).toMatchObject({ streamName: missing });
        await expect(store.readStream(missing, { direction: 'backwards' })).rejects.toBeInstanceOf(StreamNotFoundError);
        expect(await store.streamRevision(missing)).toBe(NO_STREAM);
      });
    });

    describe('readAll', () => {
      it('returns events of all streams in commit order with strictly increasing positions, after is exclusive', async () => {
        const a = uniqueStream('all-a');
        const b = uniqueStream('all-b');
        const first = await store.appendToStream(a, [evt('A0')]);
        await store.appendToStream(b, [evt('B0'), evt('B1')]);
        await store.appendToStream(a, [evt('A1')]);
        await store.appendToStream(b, [evt('B2')]);

        const ours = new Set([a, b]);
        const all = (await store.readAll({ after: first.position - 1n, maxCount: 10_000 })).filter((e) =>
          ours.has(e.streamName),
        );
        expect(all.map((e) => e.type)).toEqual(['A0', 'B0', 'B1', 'A1', 'B2']);
        for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position);

        const afterFirst = (await store.readAll({ after: first.position, maxCount: 10_000 })).filter((e) =>
          ours.has(e.streamName),
        );
        expect(afterFirst.map((e) => e.type)).toEqual(['B0', 'B1', 'A1', 'B2']);
      });

      it('honours maxCount and pages without gaps or overlaps', async () => {
        const stream = uniqueStream('page');
        const first = await store.appendToStream(stream, [evt('P0')]);
        await store.appendToStream(
          stream,
          Array.from({ length: 9 }, (_, i) => evt(`P${i + 1}`)),
        );
        const seen: RecordedEvent[] = [];
        let after = first.position - 1n;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 3 });
          expect(page.length).toBeLessThanOrEqual(3);
          if (page.length === 0) break;
          seen.push(...page.filter((e) => e.streamName === stream));
          after = page[page.length - 1].position;
          if (seen.length === 10) break;
        }
        expect(seen.map((e) => e.type)).toEqual(Array.from({ length: 10 }, (_, i) => `P${i}`));
      });

      it('readAllJson, where the store has it, gives the same events with data and metadata as JSON text', async () => {
        if (store.readAllJson === undefined) return;
        const stream = uniqueStream('json');
        const before = await store.appendToStream(uniqueStream('json-before'), [evt('B')]);
        await store.appendToStream(stream, [
          evt('J0'),
          evt(
            'J1',
            { é: 'x\n"\u2028', n: [1, -0.5, null, { z: true, a: {} }] },
            { actor: { principal: 'p' }, integrity: { hash: 'h' } },
          ),
          // A number past 2^53 on purpose: the store must keep what JSON.parse made of it.
          // eslint-disable-next-line no-loss-of-precision
          evt('J2', { big: 12345678901234567890 }),
        ]);
        const parsed = (await store.readAll({ after: before.position, maxCount: 10_000 })).filter(
          (e) => e.streamName === stream,
        );
        const json = (await store.readAllJson({ after: before.position, maxCount: 10_000 })).filter(
          (e) => e.streamName === stream,
        );
        expect(
          json.map(({ streamName, type, revision, position }) => ({ streamName, type, revision, position })),
        ).toEqual(parsed.map(({ streamName, type, revision, position }) => ({ streamName, type, revision, position })));
        for (let i = 0; i < parsed.length; i++) {
          expect(JSON.parse(json[i].dataJson)).toEqual(parsed[i].data);
          expect(JSON.parse(json[i].metadataJson)).toEqual(parsed[i].metadata);
        }
        expect(JSON.parse(json[0].metadataJson)).toEqual({});
        expect(await store.readAllJson({ after: before.position, maxCount: 2 })).toHaveLength(2);
      });
    });

    describe('subscribeToAll', () => {
      it('delivers history after an exclusive position, then onCaughtUp once, then live events in order', async () => {
        const stream = uniqueStream('sub');
        const first = await store.appendToStream(stream, [evt('H0')]);
        await store.appendToStream(stream, [evt('H1'), evt('H2')]);

        const collector = new Collector(new Set([stream]));
        subscriptions.push(store.subscribeToAll({ after: first.position }, collector.handler));
        await collector.caughtUp();
        expect(collector.caughtUpAfter).toBe(2);
        expect(collector.events.map((e) => e.type)).toEqual(['H1', 'H2']);

        await store.appendToStream(stream, [evt('L0')]);
        await store.appendToStream(stream, [evt('L1'), evt('L2')]);
        await collector.until(5);
        expect(collector.events.map((e) => e.type)).toEqual(['H1', 'H2', 'L0', 'L1', 'L2']);
        expect(collector.caughtUpCalls).toBe(1);
      });

      it('loses and duplicates nothing when appends race the hand-over from catch-up to live', async () => {
        const stream = uniqueStream('handover');
        const first = await store.appendToStream(stream, [evt('E', { i: 0 })]);
        const collector = new Collector(new Set([stream]));
        subscriptions.push(store.subscribeToAll({ after: first.position - 1n }, collector.handler));
        // Appends run while the subscription is catching up and switching to live.
        for (let i = 1; i < 60; i++) await store.appendToStream(stream, [evt('E', { i })]);
        await collector.until(60);
        await collector.caughtUp();
        const expected = (await store.readStream(stream)).map((e) => e.id);
        expect(collector.ids()).toEqual(expected);
        expect(collector.events.map((e) => e.data.i)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      });

      it('awaits each onEvent before delivering the next', async () => {
        const stream = uniqueStream('await');
        const marker = await store.appendToStream(uniqueStream('marker'), [evt('M')]);
        await store.appendToStream(stream, [evt('A'), evt('B'), evt('C')]);
        let inFlight = 0;
        let maxInFlight = 0;
        const order: string[] = [];
        let done!: () => void;
        const allDone = new Promise<void>((r) => (done = r));
        subscriptions.push(
          store.subscribeToAll(
            { after: marker.position },
            {
              onEvent: async (event) => {
                if (event.streamName !== stream) return;
                inFlight++;
                maxInFlight = Math.max(maxInFlight, inFlight);
                await new Promise<void>((r) => setImmediate(r));
                order.push(event.type);
                inFlight--;
                if (order.length === 3) done();
              },
            },
          ),
        );
        await withTimeout(allDone, 'handler never saw three events');
        expect(order).toEqual(['A', 'B', 'C']);
        expect(maxInFlight).toBe(1);
      });

      it('stops delivering after unsubscribe() resolves', async () => {
        const stream = uniqueStream('unsub');
        const first = await store.appendToStream(stream, [evt('A')]);
        const stopped = new Collector(new Set([stream]));
        const subscription = store.subscribeToAll({ after: first.position - 1n }, stopped.handler);
        await stopped.until(1);
        await subscription.unsubscribe();

        await store.appendToStream(stream, [evt('B')]);
        // A second subscription seeing B proves B was committed and delivered to live subscribers.
        const witness = new Collector(new Set([stream]));
        subscriptions.push(store.subscribeToAll({ after: first.position - 1n }, witness.handler));
        await witness.until(2);
        expect(stopped.events.map((e) => e.type)).toEqual(['A']);
      });

      it('unsubscribe() resolves only once the in-flight handler call has finished', async () => {
        const stream = uniqueStream('idle');
        const marker = await store.appendToStream(uniqueStream('marker'), [evt('M')]);
        await store.appendToStream(stream, [evt('A'), evt('B')]);
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let entered!: () => void;
        const inHandler = new Promise<void>((r) => (entered = r));
        let handlerFinished = false;
        const seen: string[] = [];
        const subscription = store.subscribeToAll(
          { after: marker.position },
          {
            onEvent: async (event) => {
              if (event.streamName !== stream) return;
              seen.push(event.type);
              entered();
              await gate;
              handlerFinished = true;
            },
          },
        );
        await withTimeout(inHandler, 'handler never called');
        let finishedWhenResolved: boolean | undefined;
        const unsubscribed = subscription.unsubscribe().then(() => (finishedWhenResolved = handlerFinished));
        release();
        await withTimeout(unsubscribed, 'unsubscribe never resolved');
        expect(finishedWhenResolved).toBe(true);
        expect(seen).toEqual(['A']);
      });

      it('ends the subscription with onError when a handler throws, delivering nothing after', async () => {
        const stream = uniqueStream('handlerfail');
        const marker = await store.appendToStream(uniqueStream('marker'), [evt('M')]);
        await store.appendToStream(stream, [evt('A'), evt('B'), evt('C')]);
        const seen: string[] = [];
        let failed!: (error: Error) => void;
        const onError = new Promise<Error>((r) => (failed = r));
        subscriptions.push(
          store.subscribeToAll(
            { after: marker.position },
            {
              onEvent: (event) => {
                if (event.streamName !== stream) return;
                seen.push(event.type);
                if (event.type === 'B') throw new Error('projection bug');
              },
              onError: (error) => failed(error),
            },
          ),
        );
        const error = await withTimeout(onError, 'onError never called');
        expect(error.message).toBe('projection bug');
        await store.appendToStream(stream, [evt('D')]);
        const witness = new Collector(new Set([stream]));
        subscriptions.push(store.subscribeToAll({ after: marker.position }, witness.handler));
        await witness.until(4);
        expect(seen).toEqual(['A', 'B']);
      });

      it('lets a handler unsubscribe its own subscription without deadlocking', async () => {
        const stream = uniqueStream('selfunsub');
        const marker = await store.appendToStream(uniqueStream('marker'), [evt('M')]);
        await store.appendToStream(stream, [evt('A'), evt('B'), evt('C')]);
        const seen: string[] = [];
        let unsubscribed!: () => void;
        const done = new Promise<void>((r) => (unsubscribed = r));
        const subscription: Subscription = store.subscribeToAll(
          { after: marker.position },
          {
            onEvent: async (event) => {
              if (event.streamName !== stream) return;
              seen.push(event.type);
              if (event.type === 'B') {
                await subscription.unsubscribe();
                unsubscribed();
              }
            },
          },
        );
        await withTimeout(done, 'self-unsubscribe deadlocked');
        await subscription.unsubscribe();
        expect(seen).toEqual(['A', 'B']);
      });

      it('resumes from a stored position after the store is reopened, missing and repeating nothing', async () => {
        const stream = uniqueStream('resume');
        const marker = await store.appendToStream(uniqueStream('marker'), [evt('M')]);
        await store.appendToStream(stream, [evt('E0'), evt('E1'), evt('E2')]);

        // A projection that checkpoints after each event it handled and is stopped right after E1.
        let checkpoint: bigint | undefined;
        const handled: string[] = [];
        let stop!: () => void;
        const stopped = new Promise<void>((r) => (stop = r));
        const subscription: Subscription = store.subscribeToAll(
          { after: marker.position },
          {
            onEvent: (event) => {
              if (event.streamName !== stream) return;
              handled.push(event.type);
              checkpoint = event.position;
              if (event.type === 'E1') void subscription.unsubscribe().then(stop);
            },
          },
        );
        await withTimeout(stopped, 'never reached E1');
        expect(handled).toEqual(['E0', 'E1']);

        let resumed = store;
        if (fixture.reopen) {
          await store.close();
          resumed = await fixture.reopen();
          store = resumed;
        }
        await resumed.appendToStream(stream, [evt('E3')]);

        const collector = new Collector(new Set([stream]));
        subscriptions.push(resumed.subscribeToAll({ after: checkpoint! }, collector.handler));
        await collector.until(2);
        await collector.caughtUp();
        expect(collector.events.map((e) => e.type)).toEqual(['E2', 'E3']);
        expect(handled).toEqual(['E0', 'E1']);
      });
    });
  });
}
