import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore, type EventStore, type JsonObject } from '@keyledger/event-store';
import { integrityOf, ManualClock, withIntegrity } from '@keyledger/ledger';
import { CheckpointKeys } from '../checkpoints/checkpoint-keys.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LedgerCheckpoints } from '../checkpoints/ledger-checkpoints.js';
import type { HashJobs, HashMismatch } from './hash-check.js';
import type { HashPool } from './hash-pool.js';
import { verifyLedger } from './verify-ledger.js';

/*
 * verifyLedger with its hash pool replaced by one that answers out of order:
 * the first four batches answer in the order 1, 3, 2, 0, after the scan, which
 * never waits for answers, has read on, found its own problems, and (with four
 * batches unanswered) hashed the later pages itself. Whatever the order of the
 * answers, the first problem in global order wins.
 */
const pool = vi.hoisted(() => ({ batches: 0, answeredInOrder: [] as number[], failing: -1 }));
const DELAY_MS = [150, 10, 100, 50];

vi.mock('./hash-pool.js', async () => {
  const { firstHashMismatch } = await import('./hash-check.js');
  return {
    startHashPool: (): HashPool => {
      let pending = 0;
      return {
        get pending() {
          return pending;
        },
        check(jobs: HashJobs) {
          pending++;
          const batch = pool.batches++;
          return new Promise<HashMismatch | null>((resolve, reject) =>
            setTimeout(() => {
              pending--;
              pool.answeredInOrder.push(batch);
              if (batch === pool.failing) reject(new Error('the hash worker exited'));
              else resolve(firstHashMismatch(jobs));
            }, DELAY_MS[batch] ?? 1),
          );
        },
        async close() {},
      };
    },
  };
});

const ROOT_SECRET = randomBytes(32);
/** The checkpoint keys a server with this root key derives. */
const CHECKPOINT_KEY = CheckpointKeys.fromRootKey({
  deriveKey: (purpose) => createHash('sha256').update(ROOT_SECRET).update(purpose).digest(),
});
const STREAMS = ['key-a', 'key-b', 'key-c'];
const PAGE = 3;

let dir: string;
let file: string;
let store: SqliteEventStore;

beforeEach(async () => {
  pool.batches = 0;
  pool.answeredInOrder = [];
  pool.failing = -1;
  dir = mkdtempSync(join(tmpdir(), 'keyledger-verify-pool-'));
  file = join(dir, 'ledger.db');
  store = new SqliteEventStore(file);
  // 10 events per stream, interleaved a, b, c, a, b, c, …: positions 1..30; stream s revision r at 3r + s + 1.
  const previous = new Map<string, string | null>();
  for (let revision = 0; revision < 10; revision++) {
    for (const stream of STREAMS) {
      const data = { n: revision, stream, note: `event ${revision} of ${stream}` };
      const metadata = withIntegrity(
        {
          streamName: stream,
          revision: BigInt(revision),
          type: 'Noted',
          data,
          metadata: { requestId: randomUUID(), time: new Date(revision * 1000).toISOString() },
        },
        previous.get(stream) ?? null,
      );
      previous.set(stream, integrityOf(metadata)!.hash);
      await store.appendToStream(stream, [
        { type: 'Noted', data: data as JsonObject, metadata: metadata as JsonObject },
      ]);
    }
  }
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function tamper(...statements: Array<[sql: string, ...params: unknown[]]>): Promise<void> {
  await store.close();
  const db = new Database(file);
  for (const [sql, ...params] of statements) expect(db.prepare(sql).run(...params).changes).toBe(1);
  db.close();
  store = new SqliteEventStore(file);
}

const alter = (position: number): [string, number] => [
  `UPDATE events SET data = replace(data, '"event ', '"EVENT ') WHERE position = ?`,
  position,
];

describe.each([['read as stored JSON text', (s: SqliteEventStore): EventStore => s]])(
  'verify with hashes answered out of order, %s',
  (_name, view) => {
    const verify = () => verifyLedger(view(store), CHECKPOINT_KEY, { pageSize: PAGE, hashThreads: 1 });

    it('passes an untouched ledger, hashing on the pool and on its own thread', async () => {
      const result = await verify();
      expect(result).toMatchObject({ ok: true, eventsChecked: 30, streamsChecked: 3 });
      expect(result.firstBadEvent).toBeUndefined();
      // Batches were answered out of order, and some pages were hashed without the pool.
      expect(pool.batches).toBeGreaterThanOrEqual(4);
      expect(pool.batches).toBeLessThan(30 / PAGE);
      expect(pool.answeredInOrder.indexOf(0)).toBeGreaterThan(pool.answeredInOrder.indexOf(1));
    });

    it('reports an altered event of the first batch, answered last, before a later gap found by the scan', async () => {
      await tamper(alter(2), ['DELETE FROM events WHERE position = ?', 14]);
      const result = await verify();
      expect(result.ok).toBe(false);
      expect(result.firstBadEvent).toMatchObject({ streamName: 'key-b', revision: '0', position: '2' });
      expect(result.firstBadEvent!.problem).toMatch(/altered/);
      expect(pool.answeredInOrder.at(-1)).toBe(0);
    });

    it('reports the earlier of two altered events, whichever batch answered first', async () => {
      // Positions 2 and 8: batch 2 answers before batch 0. Positions 5 and 11: batch 1 answers before batch 3.
      await tamper(alter(2), alter(8));
      let result = await verify();
      expect(result.firstBadEvent).toMatchObject({ streamName: 'key-b', revision: '0', position: '2' });
      expect(result.firstBadEvent!.problem).toMatch(/altered/);
      await tamper(alter(5), alter(11));
      pool.batches = 0;
      result = await verify();
      expect(result.firstBadEvent).toMatchObject({ streamName: 'key-b', revision: '0', position: '2' });
      await tamper([`UPDATE events SET data = replace(data, '"EVENT ', '"event ') WHERE position = ?`, 2]);
      pool.batches = 0;
      result = await verify();
      expect(result.firstBadEvent).toMatchObject({ streamName: 'key-b', revision: '1', position: '5' });
    });

    it('reports an altered event hashed on the pool before one hashed on its own thread', async () => {
      // Position 4 is in the second batch; position 28 is read when four batches are still unanswered.
      await tamper(alter(28), alter(4));
      const result = await verify();
      expect(result.firstBadEvent).toMatchObject({ streamName: 'key-a', revision: '1', position: '4' });
    });

    it('fails, rather than passes, when a batch could not be checked', async () => {
      pool.failing = 1;
      await expect(verify()).rejects.toThrow(/the hash worker exited/);
    });

    it('reports a gap found by the scan before a later altered event', async () => {
      await tamper(['DELETE FROM events WHERE position = ?', 4], alter(11));
      const result = await verify();
      expect(result.firstBadEvent).toMatchObject({ streamName: 'key-a', revision: '2', position: '7' });
      expect(result.firstBadEvent!.problem).toMatch(/revision 1 is missing/);
    });

    it('reports an event as altered, not as differing from the checkpoint, when it is both', async () => {
      await new LedgerCheckpoints(store, CHECKPOINT_KEY, new ManualClock(new Date(100_000))).write({
        adoptUncheckpointed: true,
      });
      // key-c's head (revision 9, position 30): content edited and its hash replaced, so it also differs from the
      // checkpoint.
      await tamper(alter(30), [
        `UPDATE events SET metadata = json_set(metadata, '$.integrity.hash', ?) WHERE position = ?`,
        'f'.repeat(64),
        30,
      ]);
      const result = await verify();
      expect(result.firstBadEvent).toMatchObject({ streamName: 'key-c', revision: '9', position: '30' });
      expect(result.firstBadEvent!.problem).toMatch(/altered/);
    });

    it('reports the checkpoint difference alone when the content still hashes to the replaced hash', async () => {
      await new LedgerCheckpoints(store, CHECKPOINT_KEY, new ManualClock(new Date(100_000))).write({
        adoptUncheckpointed: true,
      });
      await tamper(alter(30));
      const edited = (await store.readStream('key-c', { direction: 'backwards', maxCount: 1 }))[0]!;
      const { integrity: _old, ...rest } = edited.metadata as Record<string, unknown>;
      const rechained = withIntegrity(
        { streamName: 'key-c', revision: 9n, type: 'Noted', data: edited.data, metadata: rest },
        integrityOf(edited.metadata)!.previousHash,
      );
      await tamper([`UPDATE events SET metadata = ? WHERE position = ?`, JSON.stringify(rechained), 30]);
      const result = await verify();
      // Re-chained, the event itself checks out: the checkpoint that covers it, at position 31, does not.
      expect(result.firstBadEvent).toMatchObject({ streamName: 'ledger-checkpoints', revision: '0', position: '31' });
      expect(result.firstBadEvent!.problem).toMatch(/do not match its Merkle root/);
    });
  },
);
