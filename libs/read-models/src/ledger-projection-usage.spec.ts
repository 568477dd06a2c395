import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, SqliteEventStore, type RecordedEvent } from '@keyledger/event-store';
import { KeyStateCache } from '@keyledger/key-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerProjection } from './ledger-projection.js';
import { TimeIndex } from './time-index.js';

const SEAL = { macKey: Buffer.alloc(32, 7), storeIdentity: 'test-store' };
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const created = {
  type: 'KeyCreated',
  data: {
    keyId: KEY,
    arn: `arn:aws:kms:us-east-1:111122223333:key/${KEY}`,
    accountId: '111122223333',
    region: 'us-east-1',
    description: 'd',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    tags: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
};
const described = (description: string) => ({ type: 'KeyDescriptionUpdated', data: { description } });
const used = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'KeyUsageRecorded', data: { count: i } }));

/** A cache that records the streams of the events handed to it. */
class SeenStreams extends KeyStateCache {
  readonly seen: string[] = [];
  override applyRecorded(event: RecordedEvent): void {
    this.seen.push(event.streamName);
    super.applyRecorded(event);
  }
}

describe('LedgerProjection over a ledger with usage streams (the cache and index read none)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const projections: LedgerProjection[] = [];
  const snapshotFile = () => join(dir, 'ledger-view.snapshot');
  const project = (cache: KeyStateCache, onLiveEvent?: (e: RecordedEvent) => void) => {
    const projection = new LedgerProjection(store, cache, new TimeIndex(), {
      snapshotSeal: SEAL,
      snapshotFile: snapshotFile(),
      ...(onLiveEvent && { onLiveEvent }),
    });
    projections.push(projection);
    return projection;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-projection-usage-'));
    store = new SqliteEventStore(join(dir, 'ledger.db'));
  });
  afterEach(async () => {
    await Promise.all(projections.splice(0).map((p) => p.stop()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('catches up without reading usage, and its position is past the usage tail', async () => {
    await store.appendToStream(`key-${KEY}`, [created], { expectedRevision: NO_STREAM });
    await store.appendToStream(`usage-${KEY}`, used(3));
    await store.appendToStream(`key-${KEY}`, [described('one')], { expectedRevision: 0n });
    await store.appendToStream(`usage-${KEY}@eu-west-1`, used(2));
    await store.appendToStream('usage-tracking', used(1));
    const view = new SeenStreams();
    const projection = project(view);
    await projection.start();
    expect(view.seen).toEqual([`key-${KEY}`, `key-${KEY}`]);
    expect(view.key(KEY)).toMatchObject({ revision: 1n, state: { description: 'one' } });
    // Eight events, the last three usage: the view has followed the log to its head.
    expect(projection.position).toBe(8n);
    expect(await store.headPosition()).toBe(8n);
  });

  it('feeds the reactions every live event, usage included, and the view only what it reads', async () => {
    await store.appendToStream(`key-${KEY}`, [created], { expectedRevision: NO_STREAM });
    await store.appendToStream(`usage-${KEY}`, used(2));
    const view = new SeenStreams();
    const live: string[] = [];
    let keyEventSeen!: () => void;
    const seen = new Promise<void>((resolve) => (keyEventSeen = resolve));
    const projection = project(view, (event) => {
      live.push(`${event.streamName}:${event.type}`);
      if (event.type === 'KeyDescriptionUpdated') keyEventSeen();
    });
    await projection.start();
    expect(live).toEqual([]);

    await store.appendToStream(`usage-${KEY}`, used(1));
    await store.appendToStream(`key-${KEY}`, [described('two')], { expectedRevision: 0n });
    await seen;
    expect(live).toEqual([`usage-${KEY}:KeyUsageRecorded`, `key-${KEY}:KeyDescriptionUpdated`]);
    expect(view.seen).toEqual([`key-${KEY}`, `key-${KEY}`]);
    expect(projection.position).toBe(5n);
  });

  it('restarts from its snapshot though usage lies between the events it took, and after usage appended live', async () => {
    await store.appendToStream(`key-${KEY}`, [created], { expectedRevision: NO_STREAM });
    await store.appendToStream(`usage-${KEY}`, used(3));
    await store.appendToStream(`key-${KEY}`, [described('one')], { expectedRevision: 0n });
    await store.appendToStream(`usage-${KEY}`, used(2));
    const first = project(new KeyStateCache());
    await first.start();
    await first.stop();

    const second = project(new SeenStreams());
    await second.start();
    // The snapshot is the last event the view took (5), checked against the one it took before (1).
    expect(second.restoredPosition).toBe(5n);
    expect(second.snapshotIgnored).toBeUndefined();
    expect(second.position).toBe(7n);

    // Live, after usage and a key event: the next restart still finds the snapshot good.
    let applied!: () => void;
    const done = new Promise<void>((resolve) => (applied = resolve));
    const witness = project(new KeyStateCache(), (e) => e.type === 'KeyDescriptionUpdated' && applied());
    await witness.start();
    await store.appendToStream(`usage-${KEY}`, used(2), { expectedRevision: 4n });
    await store.appendToStream(`key-${KEY}`, [described('two')], { expectedRevision: 1n });
    await done;
    await second.stop();
    await witness.stop();
    const view = new SeenStreams();
    const third = project(view);
    await third.start();
    expect(third.snapshotIgnored).toBeUndefined();
    expect(third.restoredPosition).toBe(10n);
    expect(view.seen).toEqual([]);
    expect(view.key(KEY)).toMatchObject({ revision: 2n, state: { description: 'two' } });
  });
});
