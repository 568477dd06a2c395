import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, type EventStore } from '@keyledger/event-store';
import {
  decideKey,
  DomainError,
  integrityOf,
  keyStreamName,
  ManualClock,
  MAX_APPEND_ATTEMPTS,
  type KeyAggregate,
  type KeyCommand,
} from '@keyledger/ledger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStateCache } from './key-state-cache.js';
import { LedgerRepository, type AppendContext } from './ledger-repository.js';

/*
 * The one command path: load once, decide, append with the loaded revision as the expected one,
 * and on a lost race decide again on state read fresh from the store, a bounded number of times.
 * Over a real SQLite store in a temp dir; "another server" is a second repository with its own cache
 * over the same store.
 */
let dir: string;
let store: EventStore;
let clock: ManualClock;
let repository: LedgerRepository;
let cache: KeyStateCache;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-repository-'));
  store = createEventStore({ dataDir: dir });
  clock = new ManualClock('2026-11-29T12:00:00.000Z');
  cache = new KeyStateCache();
  repository = new LedgerRepository(store, clock, cache);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const context = (requestId: string = randomUUID()): AppendContext => ({
  actor: { principal: 'arn:aws:iam::111122223333:user/alice', accessKeyId: 'AKIA', sourceAddress: null },
  requestId,
});

const createKey = (keyId: string): KeyCommand => ({
  type: 'CreateKey',
  keyId,
  arn: `arn:aws:kms:eu-west-1:111122223333:key/${keyId}`,
  accountId: '111122223333',
  region: 'eu-west-1',
  description: 'created',
  origin: 'EXTERNAL',
  tags: [],
  now: clock.now(),
});
const describeAs = (description: string): KeyCommand => ({
  type: 'UpdateKeyDescription',
  description,
  now: clock.now(),
});

async function created(on = repository): Promise<string> {
  const keyId = randomUUID();
  await on.decideOnKey(keyId, (state) => decideKey(createKey(keyId), state), context(), { expectNew: true });
  return keyId;
}

describe('LedgerRepository: load, decide, append with the expected revision', () => {
  it('appends a new key at revision 0 and each change at the next revision, chained, with its request', async () => {
    const keyId = await created();
    const outcome = await repository.decideOnKey(keyId, (s) => decideKey(describeAs('second'), s), context('req-2'));
    expect(outcome.revision).toBe(1n);
    expect(outcome.events.map((e) => e.type)).toEqual(['KeyDescriptionUpdated']);
    expect(outcome.state.description).toBe('second');

    const events = await store.readStream(keyStreamName(keyId));
    expect(events.map((e) => [e.revision, e.type])).toEqual([
      [0n, 'KeyCreated'],
      [1n, 'KeyDescriptionUpdated'],
    ]);
    expect(integrityOf(events[1]!.metadata)!.previousHash).toBe(integrityOf(events[0]!.metadata)!.hash);
    expect(events[1]!.metadata).toMatchObject({ requestId: 'req-2', time: '2026-11-29T12:00:00.000Z' });
    // The cache learns the append at once: the next request decides on it without reading the store.
    expect(cache.key(keyId)).toMatchObject({ revision: 1n, state: { description: 'second' } });
  });

  it('given a stale cache, loses the race once and decides again on the state read from the store', async () => {
    const keyId = await created();
    const otherServer = new LedgerRepository(store, clock, new KeyStateCache());
    await otherServer.decideOnKey(keyId, (s) => decideKey(describeAs('theirs'), s), context());

    const seen: Array<string | null> = [];
    const outcome = await repository.decideOnKey(
      keyId,
      (state: KeyAggregate) => {
        seen.push(state.description);
        return decideKey(describeAs('mine'), state);
      },
      context(),
    );
    expect(seen).toEqual(['created', 'theirs']);
    expect(outcome.revision).toBe(2n);
    const events = await store.readStream(keyStreamName(keyId));
    expect(events).toHaveLength(3);
    expect(integrityOf(events[2]!.metadata)!.previousHash).toBe(integrityOf(events[1]!.metadata)!.hash);
    expect(cache.key(keyId)).toMatchObject({ revision: 2n, state: { description: 'mine' } });
  });

  it('gives up with Conflict after exactly the bounded number of lost races, having written nothing of its own', async () => {
    const keyId = await created();
    const otherServer = new LedgerRepository(store, clock, new KeyStateCache());
    // Another server appends between every load and append of this one: a real lost race, each time.
    const racing: EventStore = Object.create(store) as EventStore;
    racing.appendToStream = async (...args) => {
      await otherServer.decideOnKey(keyId, (s) => decideKey(describeAs(`theirs ${randomUUID()}`), s), context());
      return store.appendToStream(...args);
    };
    const loser = new LedgerRepository(racing, clock, new KeyStateCache());
    let attempts = 0;
    const mine = context('mine');
    const refusal = loser.decideOnKey(
      keyId,
      (s) => {
        attempts++;
        return decideKey(describeAs('mine'), s);
      },
      mine,
    );
    await expect(refusal).rejects.toMatchObject({ name: 'DomainError', code: 'Conflict' });
    expect(attempts).toBe(MAX_APPEND_ATTEMPTS);
    const events = await store.readStream(keyStreamName(keyId));
    expect(events).toHaveLength(1 + MAX_APPEND_ATTEMPTS);
    expect(events.filter((e) => (e.metadata as { requestId?: string }).requestId === 'mine')).toEqual([]);
  });

  it('appends nothing for a refusal, and nothing for an empty decision, answering the loaded revision', async () => {
    const keyId = await created();
    const refused = new DomainError('InvalidState', 'no');
    await expect(repository.decideOnKey(keyId, () => refused, context())).rejects.toBe(refused);
    const unchanged = await repository.decideOnKey(keyId, () => [], context());
    expect(unchanged).toMatchObject({ events: [], revision: 0n, state: { description: 'created' } });
    expect(await store.streamRevision(keyStreamName(keyId))).toBe(0n);
    const none = await repository.decideOnKey(randomUUID(), () => [], context());
    expect(none.revision).toBe(-1n);
  });

  it('runs commands on one stream one after another in this process: none of them loses a race', async () => {
    const keyId = await created();
    let decisions = 0;
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((description) =>
        repository.decideOnKey(
          keyId,
          (s) => {
            decisions++;
            return decideKey(describeAs(description), s);
          },
          context(),
        ),
      ),
    );
    expect(outcomes.map((o) => o.revision)).toEqual([1n, 2n, 3n]);
    expect(decisions).toBe(3);
    expect(cache.key(keyId)?.state.description).toBe('c');
  });

  it('creates without reading, and when the new id is taken after all, decides again on what the store holds', async () => {
    const keyId = await created(new LedgerRepository(store, clock, new KeyStateCache()));
    const seen: boolean[] = [];
    const again = repository.decideOnKey(
      keyId,
      (state) => {
        seen.push(state.exists);
        return decideKey(createKey(keyId), state);
      },
      context(),
      { expectNew: true },
    );
    await expect(again).rejects.toMatchObject({ code: 'AlreadyExists' });
    expect(seen).toEqual([false, true]);
    expect(await store.streamRevision(keyStreamName(keyId))).toBe(0n);
  });
});
