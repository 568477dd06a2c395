import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type EventStore } from '@keyledger/event-store';
import { ManualClock } from '@keyledger/ledger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countedReads } from '../testing/counted-reads.js';
import { LedgerQueries } from './ledger-queries.js';

const KEY = '11111111-2222-4333-8444-555555555555';
const OTHER = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const time = (minutes: number) => ({ time: new Date(T0 + minutes * 60_000).toISOString() });
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
    createdAt: new Date(T0).toISOString(),
  },
  metadata: time(0),
});
const used = (minute: number, region = 'us-east-1') => ({
  type: 'KeyUsageRecorded',
  data: { region, keyId: KEY, operation: 'Decrypt', principal: 'arn:aws:iam::111122223333:user/app', count: 1 },
  metadata: time(minute),
});

describe('audit events of one key over a long usage stream', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-audit-key-'));
    store = new SqliteEventStore(join(dir, 'ledger.db'));
    // The key, 2,000 usage aggregates, an alias created on it in the middle, one of another region and the
    // key disabled at the end; another key's events in between.
    await store.appendToStream(`key-${KEY}`, [created(KEY)]);
    await store.appendToStream(`key-${OTHER}`, [created(OTHER)]);
    const usage = Array.from({ length: 2000 }, (_, i) => used(i + 1, i === 1500 ? 'eu-west-1' : 'us-east-1'));
    await store.appendToStream(`usage-${KEY}`, usage.slice(0, 1000));
    await store.appendToStream('alias-alias/pay', [
      { type: 'AliasCreated', data: { aliasName: 'alias/pay', aliasArn: 'x', targetKeyId: KEY }, metadata: time(1000) },
    ]);
    await store.appendToStream('alias-alias/other', [
      {
        type: 'AliasCreated',
        data: { aliasName: 'alias/other', aliasArn: 'x', targetKeyId: OTHER },
        metadata: time(1000),
      },
    ]);
    await store.appendToStream(`usage-${KEY}`, usage.slice(1000));
    await store.appendToStream(`key-${KEY}`, [{ type: 'KeyDisabled', data: {}, metadata: time(3000) }]);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const queries = (s: EventStore) =>
    new LedgerQueries(s, { region: 'us-east-1', accountId: '111122223333', clock: new ManualClock(new Date(T0)) });

  it('reads as much of the usage stream as its page needs, from the cursor on', async () => {
    const { store: seen, read } = countedReads(store);
    const q = queries(seen);
    const first = await q.auditEvents({ keyId: KEY, limit: 5 });
    expect(first.events.map((e) => e.type)).toEqual(['KeyCreated', ...Array(4).fill('KeyUsageRecorded')]);
    expect(read.get(`usage-${KEY}`)).toBeLessThan(100);

    // From the middle on: the cursor is found by a binary search, not by reading up to it.
    read.clear();
    const middle = await q.auditEvents({ keyId: KEY, limit: 3, cursor: '1001' });
    expect(middle.events.map((e) => e.type)).toEqual(['KeyUsageRecorded', 'AliasCreated', 'KeyUsageRecorded']);
    expect(middle.events.map((e) => e.position)).toEqual(['1002', '1003', '1005']);
    expect(read.get(`usage-${KEY}`)).toBeLessThan(100);

    // Only non-usage types asked: the usage stream is not read at all.
    read.clear();
    const lifecycle = await q.auditEvents({ keyId: KEY, type: 'KeyCreated,KeyDisabled,AliasCreated' });
    expect(lifecycle.events.map((e) => e.type)).toEqual(['KeyCreated', 'AliasCreated', 'KeyDisabled']);
    expect(read.has(`usage-${KEY}`)).toBe(false);
  });

  it('pages through everything in log order, the other region and the other key left out, as before', async () => {
    const q = queries(store);
    const all: Array<{ type: string; position: string }> = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await q.auditEvents({ keyId: KEY, limit: 250, ...(cursor && { cursor }) });
      all.push(...page.events.map((e) => ({ type: e.type, position: e.position })));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    // 1 created + 1,999 usage in us-east-1 + the alias + disabled = 2,002: nine pages, the last short.
    expect(all).toHaveLength(2002);
    expect(pages).toBe(9);
    expect(all.filter((e) => e.type === 'AliasCreated')).toHaveLength(1);
    expect(all.at(-1)!.type).toBe('KeyDisabled');
    const positions = all.map((e) => BigInt(e.position));
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
    // Exactly a page's worth left: no cursor after it.
    const tail = await q.auditEvents({ keyId: KEY, limit: 2, cursor: all.at(-3)!.position });
    expect(tail.events.map((e) => e.type)).toEqual(['KeyUsageRecorded', 'KeyDisabled']);
    expect(tail.nextCursor).toBeNull();
  });
});
