import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore, type EventStore, type JsonObject } from '@keyledger/event-store';
import { eventHash, integrityOf, ManualClock, withIntegrity, withoutIntegrity, type Actor } from '@keyledger/ledger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_STREAM, LedgerCheckpoints } from '../checkpoints/ledger-checkpoints.js';
import { verifyLedger } from './verify-ledger.js';

/** Test support: appends events chained exactly as the server's repository does. */
class ChainedWriter {
  private readonly heads = new Map<string, { revision: bigint; hash: string }>();

  constructor(
    private readonly store: EventStore,
    private readonly actor: Actor = {
      principal: 'arn:aws:iam::111122223333:user/admin',
      accessKeyId: 'AKIATEST',
      sourceAddress: '127.0.0.1',
    },
  ) {}

  async append(
    streamName: string,
    events: Array<{ type: string; data: Record<string, unknown> }>,
    time: Date | string,
  ): Promise<bigint> {
    const head = this.heads.get(streamName);
    let revision = head ? head.revision + 1n : 0n;
    let previousHash: string | null = head ? head.hash : null;
    const metadata = { actor: this.actor, requestId: randomUUID(), time: new Date(time).toISOString() };
    const toAppend = events.map((event) => {
      const chained = withIntegrity(
        { streamName, revision, type: event.type, data: event.data, metadata },
        previousHash,
      );
      previousHash = integrityOf(chained)!.hash;
      this.heads.set(streamName, { revision, hash: previousHash });
      revision++;
      return { type: event.type, data: event.data as JsonObject, metadata: chained as JsonObject };
    });
    const result = await this.store.appendToStream(streamName, toAppend);
    return result.position;
  }
}

const KEY_A = '11111111-2222-4333-8444-555555555555';
const KEY_B = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const MAT_1 = 'a'.repeat(64);
const MAT_2 = 'b'.repeat(64);
const ARN = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = (days: number) => new Date(T0 + days * 86_400_000);
const CHECKPOINT_KEY = randomBytes(32);

const created = (keyId: string, days: number) => ({
  type: 'KeyCreated',
  data: {
    keyId,
    arn: ARN(keyId),
    accountId: '111122223333',
    region: 'us-east-1',
    description: 'd',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    tags: [],
    createdAt: at(days).toISOString(),
  },
});
const generated = (keyMaterialId: string, days: number) => ({
  type: 'KeyMaterialGenerated',
  data: {
    keyMaterialId,
    sealedMaterial: 'SEALED-SECRET',
    shredKeyId: `x/${keyMaterialId}`,
    generatedAt: at(days).toISOString(),
  },
});
const rotated = (keyMaterialId: string, previous: string, days: number) => ({
  type: 'KeyRotated',
  data: {
    keyMaterialId,
    previousKeyMaterialId: previous,
    rotationType: 'ON_DEMAND',
    rotatedAt: at(days).toISOString(),
  },
});

let dir: string;
let file: string;
let store: SqliteEventStore;
let writer: ChainedWriter;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-ledger-'));
  file = join(dir, 'ledger.db');
  store = SqliteEventStore.open(file);
  writer = new ChainedWriter(store);
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

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

describe('verify and checkpoints', () => {
  async function tamper(sql: (db: Database.Database) => void): Promise<void> {
    await store.close();
    const db = new Database(file);
    sql(db);
    db.close();
    store = SqliteEventStore.open(file);
  }

  it('passes an untouched ledger and reports the last checkpoint', async () => {
    await seed();
    const checkpoints = new LedgerCheckpoints(store, CHECKPOINT_KEY, new ManualClock(at(30)));
    expect(await checkpoints.write()).toMatchObject({ streams: 3 });
    await writer.append(`key-${KEY_B}`, [{ type: 'KeyDisabled', data: {} }], at(31));
    const second = await checkpoints.write();
    expect(second.streams).toBe(3);
    const progress: number[] = [];
    const result = await verifyLedger(store, CHECKPOINT_KEY, { onProgress: (n) => progress.push(n) });
    expect(result).toMatchObject({
      ok: true,
      eventsChecked: 12,
      streamsChecked: 4,
      lastCheckpoint: { position: second.position, streams: 3 },
    });
    expect(progress.at(-1)).toBe(12);
    const heads = (await store.readStream(CHECKPOINT_STREAM)).map(
      (e) => e.data as { previousCheckpointHash: string | null },
    );
    expect(heads[0]!.previousCheckpointHash).toBeNull();
    expect(heads[1]!.previousCheckpointHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds an edited byte in one event', async () => {
    await seed();
    await tamper((db) =>
      db
        .prepare(`UPDATE events SET data = replace(data, '"d"', '"e"') WHERE stream = ? AND revision = 0`)
        .run(`key-${KEY_B}`),
    );
    const result = await verifyLedger(store, CHECKPOINT_KEY);
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: `key-${KEY_B}`, revision: '0', position: '3' });
    expect(result.firstBadEvent!.problem).toMatch(/altered/);
  });

  it('finds a deleted event in the middle of a stream', async () => {
    await seed();
    await tamper((db) => db.prepare('DELETE FROM events WHERE stream = ? AND revision = 2').run(`key-${KEY_A}`));
    const result = await verifyLedger(store, CHECKPOINT_KEY);
    expect(result.firstBadEvent).toMatchObject({ streamName: `key-${KEY_A}`, revision: '3' });
    expect(result.firstBadEvent!.problem).toMatch(/revision 2 is missing/);
  });

  it('finds a removed stream and a removed tail through the last checkpoint', async () => {
    await seed();
    await new LedgerCheckpoints(store, CHECKPOINT_KEY, new ManualClock(at(30))).write();
    await tamper((db) => db.prepare('DELETE FROM events WHERE stream = ?').run(`key-${KEY_B}`));
    let result = await verifyLedger(store, CHECKPOINT_KEY);
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: `key-${KEY_B}`, revision: '1' });
    expect(result.firstBadEvent!.problem).toMatch(/stream is missing/);

    await tamper((db) => db.prepare('DELETE FROM events WHERE stream = ? AND revision = 4').run(`key-${KEY_A}`));
    result = await verifyLedger(store, CHECKPOINT_KEY);
    expect(result.firstBadEvent!.problem).toMatch(/missing/);
    // Carried forward: a checkpoint written after the removal still remembers the stream.
    const later = await new LedgerCheckpoints(store, CHECKPOINT_KEY, new ManualClock(at(40))).write();
    expect(later.streams).toBe(3);
  });

  it('refuses a checkpoint signed with another key and a forged one', async () => {
    await seed();
    await new LedgerCheckpoints(store, CHECKPOINT_KEY, new ManualClock(at(30))).write();
    const wrongKey = await verifyLedger(store, randomBytes(32));
    expect(wrongKey.firstBadEvent).toMatchObject({ streamName: CHECKPOINT_STREAM, revision: '0' });
    expect(wrongKey.firstBadEvent!.problem).toMatch(/signature/);

    // A forger without the key rewrites a head and recomputes the event's chain hash: only the signature tells.
    const [checkpoint] = await store.readStream(CHECKPOINT_STREAM);
    const data = structuredClone(checkpoint!.data) as { streams: Record<string, { hash: string }> };
    data.streams[`key-${KEY_A}`]!.hash = 'f'.repeat(64);
    const metadata = withoutIntegrity(checkpoint!.metadata as Record<string, unknown>);
    const hash = eventHash(
      { streamName: CHECKPOINT_STREAM, revision: 0n, type: checkpoint!.type, data, metadata },
      null,
    );
    await tamper((db) =>
      db
        .prepare('UPDATE events SET data = ?, metadata = ? WHERE stream = ?')
        .run(
          JSON.stringify(data),
          JSON.stringify({ ...metadata, integrity: { previousHash: null, hash } }),
          CHECKPOINT_STREAM,
        ),
    );
    const forged = await verifyLedger(store, CHECKPOINT_KEY);
    expect(forged.firstBadEvent).toMatchObject({ streamName: CHECKPOINT_STREAM, revision: '0' });
    expect(forged.firstBadEvent!.problem).toMatch(/signature/);
  });
});
