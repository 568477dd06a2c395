import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@keyledger/event-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countedReads } from '../testing/counted-reads.js';
import { LedgerQueries } from './ledger-queries.js';

const KEY = '11111111-2222-4333-8444-555555555555';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const time = (minutes: number) => ({ time: new Date(T0 + minutes * 60_000).toISOString() });
const options = { region: 'us-east-1', accountId: '111122223333', clock: { now: () => new Date(T0 + 86_400_000) } };
const created = {
  type: 'KeyCreated',
  data: {
    keyId: KEY,
    arn: `arn:aws:kms:us-east-1:111122223333:key/${KEY}`,
    accountId: '111122223333',
    region: 'us-east-1',
    description: 'first',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    tags: [],
    createdAt: new Date(T0).toISOString(),
  },
  metadata: time(0),
};
const used = (minute: number) => ({ type: 'KeyUsageRecorded', data: { count: 1 }, metadata: time(minute) });

describe('an as-of question’s catch-up', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-as-of-catch-up-'));
    store = new SqliteEventStore(join(dir, 'ledger.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads no log page while nothing is new, though the log ends in usage it leaves out; then sees what is', async () => {
    await store.appendToStream(`key-${KEY}`, [created]);
    await store.appendToStream(`usage-${KEY}`, [used(1), used(2)]);
    const counted = countedReads(store);
    const queries = new LedgerQueries(counted.store, options);
    const asOf = new Date(T0 + 10 * 60_000);
    expect((await queries.keyStateAsOf(KEY, asOf)).description).toBe('first');
    expect(counted.logPages.count).toBeGreaterThan(0);
    counted.logPages.count = 0;
    expect((await queries.keyStateAsOf(KEY, asOf)).description).toBe('first');
    expect(counted.logPages.count).toBe(0);
    await store.appendToStream(`key-${KEY}`, [
      { type: 'KeyDescriptionUpdated', data: { description: 'second' }, metadata: time(5) },
    ]);
    expect((await queries.keyStateAsOf(KEY, asOf)).description).toBe('second');
    expect(counted.logPages.count).toBe(1);
  });
});
