import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteEventStore, type JsonObject } from '@keyledger/event-store';
import { keyStreamName, type KeyAccess } from '@keyledger/ledger';
import { LedgerEventRecorded } from '../reactions/ledger-event-recorded.js';
import { KeyAccessCache } from './key-access-cache.js';
import { KEY_ID, keyCreated, ONLY_ALICE, policyChangedToOnlyAlice } from './testing/access-fixtures.js';

// The access cache fed by the store's feed (LedgerEventRecorded) besides its own reads: what it reads, and
// that a feed and a read racing each other never leave it behind.
const STREAM = keyStreamName(KEY_ID);
const created = keyCreated();
const disabled = { type: 'KeyDisabled', data: {} };
const enabled = { type: 'KeyEnabled', data: {} };
const policyChanged = policyChangedToOnlyAlice();

let dir: string;
let store: SqliteEventStore;
let cache: KeyAccessCache;
let reads: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-access-cache-'));
  store = new SqliteEventStore(join(dir, 'ledger.db'));
  cache = new KeyAccessCache(store);
  // The real store, counted: the spy passes every call through.
  reads = vi.spyOn(store, 'readStream');
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function append(...events: Array<{ type: string; data: JsonObject }>): Promise<void> {
  const head = await store.streamRevision(STREAM);
  await store.appendToStream(STREAM, events, { expectedRevision: head });
}

/** Hands the cache what the store's subscription would: every event of the key's stream from `from` on. */
async function feed(from: bigint): Promise<void> {
  for (const event of await store.readStream(STREAM, { fromRevision: from }))
    cache.handle(new LedgerEventRecorded(event));
}

describe('KeyAccessCache fed by the store feed', () => {
  it('given an entry, when the feed brings the events after it, then the next request reads nothing', async () => {
    await append(created, disabled);
    expect((await cache.accessAt(KEY_ID, 1n)).policyText).not.toBe(ONLY_ALICE);
    await append(enabled, policyChanged);
    await feed(2n);
    reads.mockClear();
    const access = await cache.accessAt(KEY_ID, 3n);
    expect(reads).not.toHaveBeenCalled();
    expect(access.policyText).toBe(ONLY_ALICE);
    // The same access a cache that read the whole stream holds (a compiled policy holds closures: by its text).
    const withoutCompiled = ({ policy: _compiled, ...rest }: KeyAccess) => rest;
    expect(withoutCompiled(access)).toEqual(withoutCompiled(await new KeyAccessCache(store).accessAt(KEY_ID, 3n)));
  });

  it('given an entry, when the feed brings an event that does not follow it, then it is left for the read', async () => {
    await append(created);
    await cache.accessAt(KEY_ID, 0n);
    await append(disabled, policyChanged);
    cache.handle(new LedgerEventRecorded((await store.readStream(STREAM, { fromRevision: 2n }))[0]));
    reads.mockClear();
    expect((await cache.accessAt(KEY_ID, 2n)).policyText).toBe(ONLY_ALICE);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('given no entry for the key, when the feed brings its events, then it keeps none and the request reads', async () => {
    await append(created, policyChanged);
    await feed(0n);
    reads.mockClear();
    expect((await cache.accessAt(KEY_ID, 1n)).policyText).toBe(ONLY_ALICE);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('a request at a revision the entry passed is answered from it when access did not change since', async () => {
    await append(created, policyChanged, disabled, enabled);
    const current = await cache.accessAt(KEY_ID, 3n);
    reads.mockClear();
    // Revisions 1 to 3 share the access that the policy change at 1 made.
    expect(await cache.accessAt(KEY_ID, 2n)).toBe(current);
    expect(await cache.accessAt(KEY_ID, 1n)).toBe(current);
    expect(reads).not.toHaveBeenCalled();
    // Before the change, access is read again from the start.
    expect((await cache.accessAt(KEY_ID, 0n)).policyText).not.toBe(ONLY_ALICE);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('a read that ends after the feed moved the entry further does not move it back', async () => {
    await append(created);
    await cache.accessAt(KEY_ID, 0n);
    await append(disabled, policyChanged, enabled);
    const delivered = await store.readStream(STREAM, { fromRevision: 1n });
    const racing = cache.accessAt(KEY_ID, 2n);
    // The feed runs while the request's read is in flight and takes the entry to revision 3.
    for (const event of delivered) cache.handle(new LedgerEventRecorded(event));
    expect((await racing).policyText).toBe(ONLY_ALICE);
    reads.mockClear();
    await cache.accessAt(KEY_ID, 3n);
    expect(reads).not.toHaveBeenCalled();
  });
});
