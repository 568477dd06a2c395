import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, SqliteEventStore, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import { KeyStateCache } from '@keyledger/key-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerProjection } from './ledger-projection.js';
import { readProjectionSnapshot, writeProjectionSnapshot } from './projection-snapshot.js';
import { TimeIndex } from './time-index.js';

const SEAL = { macKey: Buffer.alloc(32, 7), storeIdentity: 'test-store' };

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const created = (keyId: string) => ({
  type: 'KeyCreated',
  data: {
    keyId,
    arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
    accountId: '111122223333',
    region: 'us-east-1',
    description: 'd',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'EXTERNAL',
    tags: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
});
const described = (description: string) => ({ type: 'KeyDescriptionUpdated', data: { description } });

/** A cache that says when it has applied an event, so a test awaits that instead of polling for it. */
class AppliedEvents extends KeyStateCache {
  #waiting: Array<(event: RecordedEvent) => void> = [];
  /** Resolves with the next event this cache applies. */
  next(): Promise<RecordedEvent> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  override applyRecorded(event: RecordedEvent): void {
    super.applyRecorded(event);
    for (const resolve of this.#waiting.splice(0)) resolve(event);
  }
}

describe('LedgerProjection with a snapshot as its stored checkpoint', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-projection-'));
    store = new SqliteEventStore(join(dir, 'ledger.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const snapshotFile = () => join(dir, 'ledger-view.snapshot');

  it('restarts from its snapshot and applies only what came after', async () => {
    await store.appendToStream(`key-${KEY}`, [created(KEY), described('one')], { expectedRevision: NO_STREAM });
    const first = new LedgerProjection(store, new KeyStateCache(), new TimeIndex(), {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
    });
    await first.start();
    await first.stop();
    expect(existsSync(snapshotFile())).toBe(true);

    await store.appendToStream(`key-${KEY}`, [described('two')], { expectedRevision: 1n });
    const view = new KeyStateCache();
    const times = new TimeIndex();
    const second = new LedgerProjection(store, view, times, { snapshotSeal: SEAL, snapshotFile: snapshotFile() });
    await second.start();
    expect(second.restoredPosition).toBe(2n);
    expect(view.key(KEY)).toMatchObject({ revision: 2n, state: { description: 'two' } });
    expect(view.keyIds()).toEqual([KEY]);
    // The time index comes back from the snapshot too, then follows the log.
    expect(times.key(KEY)).toMatchObject({ revision: 2n, complete: true });
    await second.stop();
  });

  it('ignores an edited snapshot, says why, and replays from the log', async () => {
    await store.appendToStream(`key-${KEY}`, [created(KEY), described('one')], { expectedRevision: NO_STREAM });
    const first = new LedgerProjection(store, new KeyStateCache(), new TimeIndex(), {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
    });
    await first.start();
    await first.stop();
    // Someone with write access to the data directory but not the root key edits the view.
    const taken = readProjectionSnapshot(snapshotFile(), SEAL)!;
    const [[keyId, entry]] = taken.contents.keys;
    taken.contents.keys = [[keyId, { ...entry, state: { ...entry.state, description: 'forged' } }]];
    writeProjectionSnapshot(snapshotFile(), taken, { ...SEAL, macKey: Buffer.alloc(32, 9) });

    const view = new KeyStateCache();
    const times = new TimeIndex();
    const second = new LedgerProjection(store, view, times, { snapshotSeal: SEAL, snapshotFile: snapshotFile() });
    await second.start();
    expect(second.snapshotIgnored).toContain('fails its MAC check');
    expect(second.restoredPosition).toBeUndefined();
    expect(view.key(KEY)).toMatchObject({ revision: 1n, state: { description: 'one' } });
    await second.stop();
  });

  it('after a replay longer than snapshotEvery, writes its snapshot while starting and serves the view read back from it', async () => {
    await store.appendToStream(`key-${KEY}`, [created(KEY), described('one'), described('two')], {
      expectedRevision: NO_STREAM,
    });
    const view = new AppliedEvents();
    const times = new TimeIndex();
    const projection = new LedgerProjection(store, view, times, {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
      snapshotEvery: 2,
    });
    await projection.start();
    expect(existsSync(snapshotFile())).toBe(true); // before any stop
    expect(view.key(KEY)).toMatchObject({ revision: 2n, state: { description: 'two' } });
    expect(times.key(KEY)).toMatchObject({ revision: 2n, complete: true });
    const applied = view.next();
    await store.appendToStream(`key-${KEY}`, [described('three')], { expectedRevision: 2n });
    expect((await applied).position).toBe(4n);
    expect(view.key(KEY)!.state.description).toBe('three');
    await projection.stop();
  });

  it('serves after a first start the very view a restart from its snapshot serves', async () => {
    const OTHER = 'abcd1234-12ab-34cd-56ef-1234567890ab';
    await store.appendToStream(`key-${KEY}`, [created(KEY), described('one')], { expectedRevision: NO_STREAM });
    await store.appendToStream(`key-${OTHER}`, [created(OTHER)], { expectedRevision: NO_STREAM });
    await store.appendToStream(`key-${KEY}`, [described('two')], { expectedRevision: 1n });
    const view = (cache: KeyStateCache, times: TimeIndex) => ({ ...cache.contents(), times: times.contents() });
    const [firstCache, firstTimes] = [new KeyStateCache(), new TimeIndex()];
    const first = new LedgerProjection(store, firstCache, firstTimes, {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
      snapshotEvery: 2,
    });
    await first.start();
    const [restartCache, restartTimes] = [new KeyStateCache(), new TimeIndex()];
    const restart = new LedgerProjection(store, restartCache, restartTimes, {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
    });
    await restart.start();
    expect(restart.restoredPosition).toBe(4n);
    expect(view(firstCache, firstTimes)).toEqual(view(restartCache, restartTimes));
    expect(firstCache.keyIds()).toEqual([KEY, OTHER]);
    expect(firstCache.key(KEY)).toMatchObject({ revision: 2n, state: { description: 'two' } });
    await restart.stop();
    await first.stop();
  });

  it('after a long catch-up from an older snapshot, writes the newer snapshot while starting', async () => {
    await store.appendToStream(`key-${KEY}`, [created(KEY)], { expectedRevision: NO_STREAM });
    const first = new LedgerProjection(store, new KeyStateCache(), new TimeIndex(), {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
      snapshotEvery: 2,
    });
    await first.start();
    await first.stop();
    await store.appendToStream(`key-${KEY}`, [described('one'), described('two')], { expectedRevision: 0n });
    const view = new KeyStateCache();
    const times = new TimeIndex();
    const second = new LedgerProjection(store, view, times, {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
      snapshotEvery: 2,
    });
    await second.start();
    expect(second.restoredPosition).toBe(1n);
    expect(second.snapshotFailure).toBeUndefined();
    expect(view.key(KEY)).toMatchObject({ revision: 2n, state: { description: 'two' } });
    // Before any stop, the file already holds the caught-up view.
    const third = new LedgerProjection(store, new KeyStateCache(), new TimeIndex(), {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
    });
    await third.start();
    expect(third.restoredPosition).toBe(3n);
    await third.stop();
    await second.stop();
  });

  it('ignores a snapshot the store does not match, and replays from the start', async () => {
    await store.appendToStream(`key-${KEY}`, [created(KEY), described('from the snapshot')], {
      expectedRevision: NO_STREAM,
    });
    const first = new LedgerProjection(store, new KeyStateCache(), new TimeIndex(), {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
    });
    await first.start();
    await first.stop();
    await store.close();

    // Another ledger in the same place: same positions, different events.
    rmSync(join(dir, 'ledger.db'), { force: true });
    rmSync(join(dir, 'ledger.db-wal'), { force: true });
    rmSync(join(dir, 'ledger.db-shm'), { force: true });
    store = new SqliteEventStore(join(dir, 'ledger.db'));
    await store.appendToStream(`key-${KEY}`, [created(KEY), described('from the store')], {
      expectedRevision: NO_STREAM,
    });
    const view = new KeyStateCache();
    const times = new TimeIndex();
    const second = new LedgerProjection(store, view, times, { snapshotSeal: SEAL, snapshotFile: snapshotFile() });
    await second.start();
    expect(second.restoredPosition).toBeUndefined();
    expect(view.key(KEY)?.state.description).toBe('from the store');
    await second.stop();
  });
});
