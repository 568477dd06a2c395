import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@keyledger/event-store';
import { KeyStateCache } from '@keyledger/key-store';
import { usageStream, USAGE_TRACKING_STREAM } from '@keyledger/ledger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LastUseIndex } from '../../last-use-index.js';
import { LedgerProjection } from '../../ledger-projection.js';
import { countedReads } from '../../testing/counted-reads.js';
import { TimeIndex } from '../../time-index.js';
import { LedgerQueries } from '../ledger-queries.js';

const SEAL = { macKey: Buffer.alloc(32, 7), storeIdentity: 'test-store' };
const USED = '11111111-2222-4333-8444-555555555555';
const IDLE = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const options = { region: 'us-east-1', accountId: '111122223333', clock: { now: () => new Date(T0 + 100 * DAY) } };

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
    origin: 'AWS_KMS',
    tags: [],
    createdAt: iso(T0),
  },
  metadata: { time: iso(T0) },
});

interface Use {
  at: number;
  operation?: string;
  refused?: boolean;
}
const aggregate = ({ at, operation = 'Decrypt', refused = false }: Use) => ({
  type: refused ? 'KeyUsageRefused' : 'KeyUsageRecorded',
  data: {
    region: 'us-east-1',
    keyId: USED,
    keyMaterialId: 'a'.repeat(64),
    principal: 'arn:aws:iam::111122223333:user/app',
    operation,
    minute: iso(at - (at % 60_000)),
    count: 1,
    firstAt: iso(at),
    lastAt: iso(at),
    lastRequestId: `r-${at}`,
    sourceAddresses: [],
    ...(refused ? { errorCode: 'AccessDeniedException' } : {}),
  },
});

describe('the inventory’s last use, kept by the projection', () => {
  let dir: string;
  let store: SqliteEventStore;
  const running: LedgerProjection[] = [];

  /** One flush of the recorder: a batch on the used key's stream, at the flush's time. */
  const flush = (at: number, uses: Use[]) =>
    store.appendToStream(
      usageStream(USED),
      uses.map((use) => ({ ...aggregate(use), metadata: { time: iso(at) } })),
    );
  const startTracking = () =>
    store.appendToStream(USAGE_TRACKING_STREAM, [
      { type: 'UsageTrackingStarted', data: { startedAt: iso(T0) }, metadata: { time: iso(T0) } },
    ]);

  /** A server's read side: its projection (with a snapshot), and the inventory over a store that counts reads. */
  async function serve() {
    const cache = new KeyStateCache();
    const times = new TimeIndex();
    const lastUses = new LastUseIndex();
    const projection = new LedgerProjection(store, cache, times, {
      snapshotSeal: SEAL,
      snapshotFile: join(dir, 'ledger-view.snapshot'),
      lastUses,
    });
    await projection.start();
    running.push(projection);
    const counted = countedReads(store);
    const queries = new LedgerQueries(counted.store, options, {
      cache,
      times,
      lastUses,
      position: () => projection.position,
    });
    /** Each key's last use as of `asOf`, and which key usage streams the inventory read for it. */
    const inventoryLastUses = async (asOf = T0 + 100 * DAY) => {
      counted.asked.length = 0;
      const report = await queries.inventory(new Date(asOf));
      const uses = Object.fromEntries(report.keys.map((k) => [k.keyId, [k.lastUsedAt, k.lastOperation]]));
      return { uses, read: counted.asked.filter((stream) => stream !== USAGE_TRACKING_STREAM) };
    };
    return { projection, lastUses: inventoryLastUses };
  }
  const stop = async (projection: LedgerProjection) => {
    running.splice(running.indexOf(projection), 1);
    await projection.stop();
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-inventory-last-use-'));
    store = new SqliteEventStore(join(dir, 'ledger.db'));
    await store.appendToStream(`key-${USED}`, [created(USED)]);
    await store.appendToStream(`key-${IDLE}`, [created(IDLE)]);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is exact after each flush, and reads no usage stream, on a ledger that began recording usage after it started', async () => {
    const server = await serve();
    await startTracking();
    await flush(T0 + DAY + 60_000, [{ at: T0 + DAY, operation: 'Encrypt' }]);
    expect(await server.lastUses()).toEqual({
      uses: { [USED]: [iso(T0 + DAY), 'Encrypt'], [IDLE]: [null, null] },
      read: [],
    });
    // A later use, one flushed late by another server with an older time, and a later refusal (not a use).
    await flush(T0 + 2 * DAY, [{ at: T0 + 2 * DAY - 60_000 }]);
    await flush(T0 + 2 * DAY + 60_000, [{ at: T0 + DAY + 5 }, { at: T0 + 2 * DAY, refused: true }]);
    expect(await server.lastUses()).toEqual({
      uses: { [USED]: [iso(T0 + 2 * DAY - 60_000), 'Decrypt'], [IDLE]: [null, null] },
      read: [],
    });
  });

  it('is exact after a first start over usage it has not read: each key read once, then kept', async () => {
    await startTracking();
    await flush(T0 + DAY + 60_000, [{ at: T0 + DAY, operation: 'Encrypt' }]);
    await flush(T0 + 3 * DAY + 60_000, [{ at: T0 + 3 * DAY }]);
    const server = await serve();
    const first = await server.lastUses();
    expect(first.uses).toEqual({ [USED]: [iso(T0 + 3 * DAY), 'Decrypt'], [IDLE]: [null, null] });
    expect(new Set(first.read)).toEqual(new Set([usageStream(USED), usageStream(IDLE)]));
    await flush(T0 + 4 * DAY + 60_000, [{ at: T0 + 4 * DAY, operation: 'GenerateDataKey' }]);
    expect(await server.lastUses()).toEqual({
      uses: { [USED]: [iso(T0 + 4 * DAY), 'GenerateDataKey'], [IDLE]: [null, null] },
      read: [],
    });
  });

  it('is exact after a restart from its snapshot, reading no usage stream, and after usage written while it was down', async () => {
    await startTracking();
    await flush(T0 + DAY + 60_000, [{ at: T0 + DAY }]);
    const first = await serve();
    await first.lastUses();
    await flush(T0 + 2 * DAY + 60_000, [{ at: T0 + 2 * DAY, operation: 'Encrypt' }]);
    await stop(first.projection);

    const second = await serve();
    expect(await second.lastUses()).toEqual({
      uses: { [USED]: [iso(T0 + 2 * DAY), 'Encrypt'], [IDLE]: [null, null] },
      read: [],
    });
    // Usage flushed after the snapshot, by another process while this one was down: the catch-up passed it
    // unread, so each key is read again rather than answered from the snapshot.
    await stop(second.projection);
    await flush(T0 + 5 * DAY + 60_000, [{ at: T0 + 5 * DAY }]);
    const third = await serve();
    const after = await third.lastUses();
    expect(after.uses).toEqual({ [USED]: [iso(T0 + 5 * DAY), 'Decrypt'], [IDLE]: [null, null] });
    expect(after.read).toContain(usageStream(USED));
  });

  it('as of a past time, is exact: a kept last use after that time is looked for in the stream', async () => {
    await startTracking();
    await flush(T0 + DAY + 60_000, [{ at: T0 + DAY, operation: 'Encrypt' }]);
    await flush(T0 + 5 * DAY + 60_000, [{ at: T0 + 5 * DAY }]);
    const server = await serve();
    await server.lastUses();
    expect(await server.lastUses(T0 + 3 * DAY)).toEqual({
      uses: { [USED]: [iso(T0 + DAY), 'Encrypt'], [IDLE]: [null, null] },
      read: [usageStream(USED)],
    });
    expect(await server.lastUses(T0 + 6 * DAY)).toEqual({
      uses: { [USED]: [iso(T0 + 5 * DAY), 'Decrypt'], [IDLE]: [null, null] },
      read: [],
    });
  });
});
