import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@keyledger/event-store';
import { ManualClock } from '@keyledger/ledger';
import { encodeHeader } from '@keyledger/crypto';
import { KeyStateCache } from '@keyledger/key-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerQueries } from './ledger-queries.js';
import { TimeIndex } from '../time-index.js';
import { LedgerProjection } from '../ledger-projection.js';
import { toCsv } from './csv.js';
// The ledger the integrity specs write, as the server writes it: one writer for both libraries' specs.
import {
  at,
  ChainedWriter,
  created,
  generated,
  KEY_A,
  KEY_B,
  MAT_1,
  MAT_2,
  rotated,
} from '../../../integrity/src/testing/chained-ledger.js';

const blob = (keyId: string, keyMaterialId: string) =>
  Buffer.concat([
    encodeHeader({ keyId, keyMaterialId, salt: Buffer.alloc(32, 1), iv: Buffer.alloc(12, 2) }),
    Buffer.alloc(20),
  ]);

let dir: string;
let file: string;
let store: SqliteEventStore;
let writer: ChainedWriter;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-ledger-'));
  file = join(dir, 'ledger.db');
  store = new SqliteEventStore(file);
  writer = new ChainedWriter(store);
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const queries = () =>
  new LedgerQueries(store, { region: 'us-east-1', accountId: '111122223333', clock: new ManualClock(at(100)) });

/** Key A: created day 0, rotated day 10, disabled day 20. Alias created day 5 on A, moved to B day 15. */
async function seed(): Promise<void> {
  await writer.append(`key-${KEY_A}`, [created(KEY_A, 0), generated(MAT_1, 0)], at(0));
  await writer.append(`key-${KEY_B}`, [created(KEY_B, 1), generated(MAT_2, 1)], at(1));
  await writer.append(
    'alias-alias/pay',
    [
      {
        type: 'AliasCreated',
        data: { aliasName: 'alias/pay', aliasArn: 'x', targetKeyId: KEY_A, createdAt: at(5).toISOString() },
      },
    ],
    at(5),
  );
  await writer.append(`key-${KEY_A}`, [generated(MAT_2, 10), rotated(MAT_2, MAT_1, 10)], at(10));
  await writer.append(
    'alias-alias/pay',
    [
      {
        type: 'AliasMoved',
        data: { aliasName: 'alias/pay', fromKeyId: KEY_A, toKeyId: KEY_B, movedAt: at(15).toISOString() },
      },
    ],
    at(15),
  );
  await writer.append(`key-${KEY_A}`, [{ type: 'KeyDisabled', data: {} }], at(20));
}

describe('as-of fold', () => {
  it('answers before and after a rotation, a disable and an alias move', async () => {
    await seed();
    const q = queries();
    const before = await q.keyStateAsOf(KEY_A, at(5));
    expect(before).toMatchObject({ keyState: 'Enabled', currentKeyMaterialId: MAT_1, aliases: ['alias/pay'] });
    expect(before.keyMaterials).toHaveLength(1);
    const rotatedState = await q.keyStateAsOf(KEY_A, at(12));
    expect(rotatedState.currentKeyMaterialId).toBe(MAT_2);
    expect(rotatedState.keyMaterials.map((m) => m.state)).toEqual(['NON_CURRENT', 'CURRENT']);
    expect(rotatedState.keyState).toBe('Enabled');
    expect((await q.keyStateAsOf(KEY_A, at(16))).aliases).toEqual([]);
    expect((await q.keyStateAsOf(KEY_B, at(16))).aliases).toEqual(['alias/pay']);
    expect((await q.keyStateAsOf(KEY_A, at(20))).keyState).toBe('Disabled');
    await expect(q.keyStateAsOf(KEY_B, at(0))).rejects.toMatchObject({ code: 'NotFound' });
    await expect(q.keyStateAsOf('nope', at(50))).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('sees events appended after its first answer', async () => {
    await seed();
    const q = queries();
    expect((await q.keyStateAsOf(KEY_A, at(30))).keyState).toBe('Disabled');
    expect((await q.keyStateAsOf(KEY_A, at(12))).keyState).toBe('Enabled'); // caches the timeline
    await writer.append(`key-${KEY_A}`, [{ type: 'KeyEnabled', data: {} }], at(40));
    expect((await q.keyStateAsOf(KEY_A, at(41))).keyState).toBe('Enabled');
    expect((await q.keyStateAsOf(KEY_A, at(39))).keyState).toBe('Disabled');
  });

  it('folds a long stream with snapshots to the same state as a plain fold', async () => {
    await writer.append(`key-${KEY_A}`, [created(KEY_A, 0), generated(MAT_1, 0)], at(0));
    for (let i = 1; i <= 100; i++)
      await writer.append(`key-${KEY_A}`, [{ type: 'KeyDescriptionUpdated', data: { description: `d${i}` } }], at(i));
    const q = queries();
    for (const day of [0, 1, 31, 32, 33, 64, 99, 100])
      expect((await q.keyStateAsOf(KEY_A, at(day + 0.5))).description).toBe(day === 0 ? 'd' : `d${day}`);
  });

  it('decryptability: not created, material not created, disabled, decryptable, invalid', async () => {
    await seed();
    const q = queries();
    expect((await q.decryptability(blob(KEY_A, MAT_2), at(5))).reason).toBe('KEY_MATERIAL_NOT_CREATED');
    expect(await q.decryptability(blob(KEY_A, MAT_2), at(12))).toMatchObject({
      decryptable: true,
      reason: 'DECRYPTABLE',
      keyState: 'Enabled',
    });
    expect((await q.decryptability(blob(KEY_A, MAT_1), at(25))).reason).toBe('KEY_DISABLED');
    expect((await q.decryptability(blob(KEY_B, MAT_2), at(0))).reason).toBe('KEY_NOT_CREATED');
    expect(await q.decryptability(Buffer.from('nonsense'), at(0))).toMatchObject({
      reason: 'INVALID_CIPHERTEXT',
      keyId: null,
    });
    const batch = await q.decryptabilityBatch([blob(KEY_A, MAT_1), blob(KEY_B, MAT_2)], at(12));
    expect(batch.map((d) => d.reason)).toEqual(['DECRYPTABLE', 'DECRYPTABLE']);
    await expect(q.decryptabilityBatch(new Array(1001).fill(blob(KEY_A, MAT_1)), at(12))).rejects.toMatchObject({
      code: 'Validation',
    });
  });

  it('history drops sealed secrets', async () => {
    await seed();
    const history = await queries().keyHistory(KEY_A);
    expect(history.events.map((e) => e.type)).toEqual([
      'KeyCreated',
      'KeyMaterialGenerated',
      'KeyMaterialGenerated',
      'KeyRotated',
      'KeyDisabled',
    ]);
    expect(JSON.stringify(history)).not.toContain('SEALED-SECRET');
    expect(history.events[1]!.data).toMatchObject({ keyMaterialId: MAT_1 });
    expect(history.events[0]!.actor?.principal).toContain('user/admin');
  });

  it('inventory and compliance as of a past time replay by one pass when many keys changed since', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 600; i++) ids.push(`00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`);
    // Appends made in one turn are group-committed: one transaction, not 600.
    await Promise.all(ids.map((id) => writer.append(`key-${id}`, [created(id, 0), generated(MAT_1, 0)], at(0))));
    await Promise.all(ids.map((id) => writer.append(`key-${id}`, [{ type: 'KeyDisabled', data: {} }], at(50))));
    const q = queries();
    const past = await q.inventory(at(10));
    expect(past.keys).toHaveLength(600);
    expect(new Set(past.keys.map((k) => k.keyState))).toEqual(new Set(['Enabled']));
    const now = await q.inventory(at(60));
    expect(new Set(now.keys.map((k) => k.keyState))).toEqual(new Set(['Disabled']));
    const compliance = await q.rotationCompliance(at(10), 5);
    expect(compliance.summary).toMatchObject({
      total: 600,
      compliant: 0,
      nonCompliant: 600,
      byReason: { ROTATION_DISABLED: 600 },
    });
  });
});

describe('queries over a shared key-state cache and time index', () => {
  it("answer from the projection's view, read what its feed has not delivered, and replay only what changed after T", async () => {
    await seed();
    const view = new KeyStateCache();
    const times = new TimeIndex();
    const projection = new LedgerProjection(store, view, times);
    await projection.start();
    await projection.stop(); // the feed stops here: what follows reaches the view only through the queries' own read
    const fedTo = projection.position;
    const q = new LedgerQueries(
      store,
      { region: 'us-east-1', accountId: '111122223333', clock: new ManualClock(at(100)) },
      { cache: view, times, position: () => fedTo },
    );
    await writer.append(`key-${KEY_A}`, [{ type: 'KeyEnabled', data: {} }], at(40));
    expect((await q.keyStateAsOf(KEY_A, at(41))).keyState).toBe('Enabled');
    expect(view.key(KEY_A)!.state.enabled).toBe(true); // the queries' read advanced the shared view
    expect((await q.keyStateAsOf(KEY_A, at(30))).keyState).toBe('Disabled');
    expect((await q.keyStateAsOf(KEY_A, at(5))).aliases).toEqual(['alias/pay']);
    const inventory = await q.inventory(at(60));
    expect(inventory.keys.map((k) => [k.keyId, k.keyState, k.aliases])).toEqual([
      [KEY_A, 'Enabled', []],
      [KEY_B, 'Enabled', ['alias/pay']],
    ]);
    expect((await q.inventory(at(0.5))).keys.map((k) => k.keyId)).toEqual([KEY_A]);
    expect((await q.decryptability(blob(KEY_A, MAT_1), at(25))).reason).toBe('KEY_DISABLED');
    expect((await q.decryptability(blob(KEY_A, MAT_1), at(45))).reason).toBe('DECRYPTABLE');
  });

  it('give the same answers from a view restored from a snapshot as from a full replay', async () => {
    await seed();
    const SEAL = { macKey: Buffer.alloc(32, 3), storeIdentity: 'spec-store' };
    const snapshotFile = join(dir, 'view.snapshot');
    const first = new LedgerProjection(store, new KeyStateCache(), new TimeIndex(), {
      snapshotFile,
      snapshotSeal: SEAL,
    });
    await first.start();
    await first.stop();
    const view = new KeyStateCache();
    const times = new TimeIndex();
    const second = new LedgerProjection(store, view, times, { snapshotFile, snapshotSeal: SEAL });
    await second.start();
    expect(second.restoredPosition).toBeDefined();
    const options = { region: 'us-east-1', accountId: '111122223333', clock: new ManualClock(at(100)) };
    const restored = new LedgerQueries(store, options, { cache: view, times, position: () => second.position });
    const replayed = new LedgerQueries(store, options);
    for (const day of [0.5, 5, 12, 16, 30]) {
      expect(await restored.inventory(at(day))).toEqual(await replayed.inventory(at(day)));
      expect(await restored.keyStateAsOf(KEY_A, at(day))).toEqual(await replayed.keyStateAsOf(KEY_A, at(day)));
    }
    await second.stop();
  });
});

describe('audit events', () => {
  it('filters by key, type, actor and time and pages with a cursor', async () => {
    await seed();
    const q = queries();
    const ofA = await q.auditEvents({ keyId: KEY_A });
    expect(ofA.events.map((e) => e.type)).toEqual([
      'KeyCreated',
      'KeyMaterialGenerated',
      'AliasCreated',
      'KeyMaterialGenerated',
      'KeyRotated',
      'AliasMoved',
      'KeyDisabled',
    ]);
    const page1 = await q.auditEvents({ limit: 3 });
    expect(page1.events).toHaveLength(3);
    const page2 = await q.auditEvents({ limit: 100, cursor: page1.nextCursor! });
    expect(page2.events[0]!.position).toBe((BigInt(page1.events[2]!.position) + 1n).toString());
    expect(page2.nextCursor).toBeNull();
    expect((await q.auditEvents({ type: 'AliasCreated,AliasMoved' })).events).toHaveLength(2);
    expect((await q.auditEvents({ from: at(9), to: at(15) })).events.map((e) => e.type)).toEqual([
      'KeyMaterialGenerated',
      'KeyRotated',
      'AliasMoved',
    ]);
    expect((await q.auditEvents({ actor: 'admin' })).events).toHaveLength(9);
    expect((await q.auditEvents({ actor: 'someone' })).events).toHaveLength(0);
    await expect(q.auditEvents({ cursor: 'zz' })).rejects.toMatchObject({ code: 'InvalidMarker' });
  });
});

describe('csv', () => {
  it('quotes, joins arrays and defuses formulas', () => {
    const csv = toCsv(
      [
        { a: 'x,y', b: ['p', 'q'], c: null, d: '=SUM(A1)', e: 'say "hi"', f: 3 },
        { a: '+1', b: [], c: '@x', d: '-2', e: 'line\nbreak', f: false },
      ],
      ['a', 'b', 'c', 'd', 'e', 'f'],
    );
    expect(csv).toBe(`a,b,c,d,e,f\r\n"x,y",p;q,,'=SUM(A1),"say ""hi""",3\r\n'+1,,'@x,'-2,"line\nbreak",false\r\n`);
  });
});
