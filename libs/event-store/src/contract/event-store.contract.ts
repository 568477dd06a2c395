import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ANY,
  InvalidAppendError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  sameEventId,
} from '../event-store.port.js';
import type { EventStore, JsonObject, RecordedEvent, Subscription } from '../event-store.port.js';
import { evt, rejection, uniqueStream } from './contract-helpers.js';
import { streamFilterContract } from './stream-filter.contract.js';
import { subscribeToAllContract } from './subscribe-to-all.contract.js';

export interface ContractContext {
  store: EventStore;
  fixture: ContractFixture;
  subscriptions: Subscription[];
}

export interface ContractFixture {
  store: EventStore;
  /** Opens a new store on the same data; the suite closes `store` first. */
  reopen?: () => Promise<EventStore>;
  cleanup(): Promise<void>;
}

export function eventStoreContract(name: string, factory: () => Promise<ContractFixture>): void {
  describe(`EventStore contract: ${name}`, () => {
    let fixture: ContractFixture;
    let store: EventStore;
    const subscriptions: Subscription[] = [];
    const ctx = {} as ContractContext;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      Object.assign(ctx, { store, fixture, subscriptions });
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

    describe('retries and event ids', () => {
      it('the same event ids again at the same expected revision succeed once more and write nothing', async () => {
        const stream = uniqueStream('retry');
        const created = [evt('Created')];
        const first = await store.appendToStream(stream, created, { expectedRevision: NO_STREAM });
        const batch = [evt('A'), evt('B')];
        const second = await store.appendToStream(stream, batch, { expectedRevision: 0n });
        // A client whose answers were lost sends both appends again.
        expect(await store.appendToStream(stream, created, { expectedRevision: NO_STREAM })).toEqual(first);
        expect(await store.appendToStream(stream, batch, { expectedRevision: 0n })).toEqual(second);
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['Created', 'A', 'B']);
        // Other events at a taken revision still conflict.
        await expect(store.appendToStream(stream, [evt('C')], { expectedRevision: 0n })).rejects.toBeInstanceOf(
          WrongExpectedVersionError,
        );
      });

      it('compares event ids without regard to case', async () => {
        const stream = uniqueStream('idcase');
        const id = randomUUID().toUpperCase();
        await store.appendToStream(stream, [{ id, type: 'A', data: {} }], { expectedRevision: NO_STREAM });
        const [read] = await store.readStream(stream);
        expect(sameEventId(read!.id, id)).toBe(true);
        const again = await store.appendToStream(stream, [{ id: id.toLowerCase(), type: 'A', data: {} }], {
          expectedRevision: NO_STREAM,
        });
        expect(again.nextExpectedRevision).toBe(0n);
        expect(await store.streamRevision(stream)).toBe(0n);
      });
    });

    describe('store identity and connection', () => {
      it('names its engine and a stable id, the same after reopening', async () => {
        const identity = await store.storeIdentity();
        expect(['sqlite', 'eventstoredb']).toContain(identity.engine);
        expect(identity.id).toMatch(/\S{8,}/);
        expect(await store.storeIdentity()).toEqual(identity);
        if (fixture.reopen) {
          await store.close();
          store = await fixture.reopen();
          expect(await store.storeIdentity()).toEqual(identity);
        }
      });

      it('checkConnection resolves for a store that answers', async () => {
        await expect(store.checkConnection(5_000)).resolves.toBeUndefined();
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
        // EventStoreDB's own namespace: its events would be filtered out of every read of $all.
        ['a $-prefixed stream name', `$ledger-${randomUUID()}`, [evt('A')]],
      ])('rejects %s with InvalidAppendError and writes nothing', async (_label, streamName, events) => {
        const stream = streamName === 'STREAM' ? uniqueStream('invalid') : (streamName as string);
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
        const marker = await store.appendToStream(uniqueStream('marker'), [evt('M')]);
        const first = await store.appendToStream(a, [evt('A0')]);
        await store.appendToStream(b, [evt('B0'), evt('B1')]);
        await store.appendToStream(a, [evt('A1')]);
        await store.appendToStream(b, [evt('B2')]);

        const ours = new Set([a, b]);
        const all = (await store.readAll({ after: marker.position, maxCount: 10_000 })).filter((e) =>
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
        const marker = await store.appendToStream(uniqueStream('marker'), [evt('M')]);
        await store.appendToStream(stream, [evt('P0')]);
        await store.appendToStream(
          stream,
          Array.from({ length: 9 }, (_, i) => evt(`P${i + 1}`)),
        );
        const seen: RecordedEvent[] = [];
        // Positions are opaque: only one the store gave (here the marker's) is passed back.
        let after = marker.position;
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

    subscribeToAllContract(ctx);
    streamFilterContract(ctx);
  });
}
