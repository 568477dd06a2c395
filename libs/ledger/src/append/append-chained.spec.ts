import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, type EventStore } from '@keyledger/event-store';
import { DomainError } from '../domain-error.js';
import { eventHash, integrityOf, withoutIntegrity } from '../integrity/event-hash.js';
import { appendChained, chainBatch, MAX_APPEND_ATTEMPTS, type ChainHead } from './append-chained.js';

const STREAM = 'key-1234abcd-12ab-34cd-56ef-1234567890ab';
const META = { requestId: 'r', time: '2026-01-01T00:00:00.000Z' };

describe('appendChained: hash-chained append with expected revision and bounded retry', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'append-chained-'));
    store = createEventStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const headOf = async (): Promise<ChainHead> => {
    const revision = await store.streamRevision(STREAM);
    if (revision === 'no_stream') return { revision, lastHash: null };
    const [last] = await store.readStream(STREAM, { direction: 'backwards', maxCount: 1 });
    return { revision, lastHash: integrityOf(last!.metadata)!.hash };
  };
  const append = (types: string[]) =>
    appendChained(store, STREAM, async () => ({
      append: { head: await headOf(), events: types.map((type) => ({ type, data: { type } })), metadata: META },
      onAppended: (appended) => appended,
    }));

  it('given an empty stream, when two batches are appended, then every event links to the one before', async () => {
    expect(await append(['A', 'B'])).toMatchObject({ firstRevision: 0n, revision: 1n });
    expect(await append(['C'])).toMatchObject({ firstRevision: 2n, revision: 2n });
    const events = await store.readStream(STREAM);
    let previous: string | null = null;
    for (const event of events) {
      const integrity = integrityOf(event.metadata)!;
      expect(integrity.previousHash).toBe(previous);
      const metadata = withoutIntegrity(event.metadata as Record<string, unknown>);
      expect(integrity.hash).toBe(
        eventHash(
          { streamName: STREAM, revision: event.revision, type: event.type, data: event.data, metadata },
          previous,
        ),
      );
      previous = integrity.hash;
    }
    expect(events.map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  it('given a plan that needs no append, then its answer and nothing written', async () => {
    expect(await appendChained(store, STREAM, () => ({ answer: 'nothing to do' }))).toBe('nothing to do');
    expect(await store.streamRevision(STREAM)).toBe('no_stream');
  });

  it('given another writer appends first, when the stale head loses, then the plan runs again on fresh state', async () => {
    const stale = await headOf();
    await append(['OTHER']);
    const attempts: number[] = [];
    const result = await appendChained(store, STREAM, async (attempt) => {
      attempts.push(attempt);
      const head = attempt === 0 ? stale : await headOf();
      return { append: { head, events: [{ type: 'MINE', data: {} }], metadata: META }, onAppended: (a) => a };
    });
    expect(attempts).toEqual([0, 1]);
    expect(result.revision).toBe(1n);
    const [, mine] = await store.readStream(STREAM);
    expect(integrityOf(mine!.metadata)!.previousHash).toBe(
      integrityOf((await store.readStream(STREAM))[0]!.metadata)!.hash,
    );
  });

  it('given a writer that always loses, then Conflict after exactly the bounded number of attempts', async () => {
    await append(['OTHER']);
    let attempts = 0;
    const lost = appendChained(store, STREAM, () => {
      attempts++;
      return {
        append: { head: { revision: 'no_stream', lastHash: null }, events: [{ type: 'X', data: {} }], metadata: META },
        onAppended: () => 0,
      };
    });
    await expect(lost).rejects.toBeInstanceOf(DomainError);
    await expect(lost).rejects.toMatchObject({
      code: 'Conflict',
      message: `Too many concurrent changes to ${STREAM}; try again.`,
    });
    expect(attempts).toBe(MAX_APPEND_ATTEMPTS);
  });

  it('given the store refuses the append for another reason, then that error at once, without retry', async () => {
    let attempts = 0;
    const refused = appendChained(store, STREAM, () => {
      attempts++;
      const events = [{ id: 'not-a-uuid', type: 'X', data: {} }];
      return {
        append: { head: { revision: 'no_stream', lastHash: null }, events, metadata: META },
        onAppended: () => 0,
      };
    });
    await expect(refused).rejects.toMatchObject({ name: 'InvalidAppendError' });
    expect(attempts).toBe(1);
  });
});

describe('chainBatch: the events as the store takes them', () => {
  const head: ChainHead = { revision: 4n, lastHash: 'h4' };

  it('given events with and without an id, then the id is handed on only where given, with the same event', () => {
    const id = '0f8c3a52-9f3e-4c1e-b0a8-3c1d2e4f5a6b';
    const { toAppend, lastHash } = chainBatch(STREAM, {
      head,
      events: [
        { id, type: 'A', data: { a: 1 } },
        { type: 'B', data: { b: 2 } },
      ],
      metadata: META,
    });
    expect(toAppend[0]).toEqual({ id, type: 'A', data: { a: 1 }, metadata: expect.any(Object) });
    expect(toAppend[1]).not.toHaveProperty('id');
    expect(toAppend[1]).toMatchObject({ type: 'B', data: { b: 2 } });
    const first = eventHash({ streamName: STREAM, revision: 5n, type: 'A', data: { a: 1 }, metadata: META }, 'h4');
    const second = eventHash({ streamName: STREAM, revision: 6n, type: 'B', data: { b: 2 }, metadata: META }, first);
    expect(toAppend.map((e) => e.metadata)).toEqual([
      { ...META, integrity: { previousHash: 'h4', hash: first } },
      { ...META, integrity: { previousHash: first, hash: second } },
    ]);
    expect(lastHash).toBe(second);
  });
});
