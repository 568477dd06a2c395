import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteEventStore, type JsonObject } from '@keyledger/event-store';
import { integrityOf, ManualClock, withIntegrity } from '@keyledger/ledger';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointKeys } from '../libs/integrity/src/checkpoints/checkpoint-keys.js';
import { LedgerCheckpoints } from '../libs/integrity/src/checkpoints/ledger-checkpoints.js';
import type { HashJobs, HashMismatch } from '../libs/integrity/src/verify/hash-check.js';
import { startHashPool, type HashPool } from '../libs/integrity/src/verify/hash-pool.js';
import { verifyLedger, type LedgerLog } from '../libs/integrity/src/verify/verify-ledger.js';

/*
 * verifyLedger with the real compiled hash worker, behind a gate that holds its answers until the
 * scan has read the whole ledger and then delivers them in a scripted order: 1, 3, 2, 0. The scan,
 * which never waits for answers, has by then found its own problems and, with four batches
 * unanswered, hashed the later pages itself. Whatever the order of the answers, the first problem
 * in global order wins. No timers: the gate opens on the scan's last progress report.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = new URL('../libs/integrity/dist/verify/hash-worker.js', import.meta.url);
const ANSWER_ORDER = [1, 3, 2, 0];

beforeAll(() => {
  // The worker runs the compiled library (a worker thread does not get the test runner's TypeScript sources).
  execFileSync('npx', ['tsc', '-b', 'libs/integrity'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

/**
 * The real worker pool, whose answers are held until `open()` and then delivered in `order`
 * (batches not in it after, in the order handed over). A held batch counts as pending, as an
 * unanswered one does.
 */
class AnswerGate implements HashPool {
  batches = 0;
  readonly answeredInOrder: number[] = [];
  private readonly arrived = new Map<number, () => void>();
  private isOpen = false;

  constructor(
    private readonly real: HashPool,
    private readonly order: number[],
  ) {}

  get pending(): number {
    return this.batches - this.answeredInOrder.length;
  }

  check(jobs: HashJobs): Promise<HashMismatch | null> {
    const batch = this.batches++;
    return new Promise((resolve, reject) => {
      this.real.check(jobs).then(
        (mismatch) => this.arrive(batch, () => resolve(mismatch)),
        (error: unknown) => this.arrive(batch, () => reject(error as Error)),
      );
    });
  }

  open(): void {
    this.isOpen = true;
    this.release();
  }

  close(): Promise<void> {
    return this.real.close();
  }

  private arrive(batch: number, deliver: () => void): void {
    this.arrived.set(batch, deliver);
    this.release();
  }

  private release(): void {
    if (!this.isOpen) return;
    const rest = [...Array(this.batches).keys()].filter((batch) => !this.order.includes(batch));
    for (const batch of [...this.order, ...rest]) {
      if (batch >= this.batches || this.answeredInOrder.includes(batch)) continue;
      const deliver = this.arrived.get(batch);
      if (deliver === undefined) return; // the next in order has not come back from the worker yet
      this.answeredInOrder.push(batch);
      deliver();
    }
  }
}

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
let gate: AnswerGate;

beforeEach(async () => {
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

/** Verify with the real worker behind a fresh gate, which opens when the scan's read comes back short (its last). */
async function verify() {
  const pool = startHashPool(WORKER);
  expect(pool, `the compiled worker ${fileURLToPath(WORKER)}`).toBeDefined();
  gate = new AnswerGate(pool!, ANSWER_ORDER);
  const log: LedgerLog = {
    readAll: (options) => store.readAll(options),
    readAllJson: async (options) => {
      const page = await store.readAllJson(options);
      if (page.length < PAGE) gate.open();
      return page;
    },
  };
  return verifyLedger(log, CHECKPOINT_KEY, { pageSize: PAGE, hashThreads: 1, startHashPool: () => gate });
}

describe('verify with the real hash worker answering out of order', () => {
  it('passes an untouched ledger, hashing four batches on the worker and the later pages on its own thread', async () => {
    const result = await verify();
    expect(result).toMatchObject({ ok: true, eventsChecked: 30, streamsChecked: 3 });
    expect(result.firstBadEvent).toBeUndefined();
    // With four batches unanswered the scan stops handing pages over: pages 5 to 10 were hashed here.
    expect(gate.batches).toBe(4);
    expect(gate.answeredInOrder).toEqual(ANSWER_ORDER);
  });

  it('reports an altered event of the first batch, answered last, before a later gap found by the scan', async () => {
    await tamper(alter(2), ['DELETE FROM events WHERE position = ?', 14]);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: 'key-b', revision: '0', position: '2' });
    expect(result.firstBadEvent!.problem).toMatch(/altered/);
    expect(gate.answeredInOrder.at(-1)).toBe(0);
  });

  it('reports the earlier of two altered events, whichever batch answered first', async () => {
    // Positions 2 and 8: batch 2 answers before batch 0. Positions 5 and 11: batch 1 answers before batch 3.
    await tamper(alter(2), alter(8));
    let result = await verify();
    expect(result.firstBadEvent).toMatchObject({ streamName: 'key-b', revision: '0', position: '2' });
    expect(result.firstBadEvent!.problem).toMatch(/altered/);
    await tamper(alter(5), alter(11));
    result = await verify();
    expect(result.firstBadEvent).toMatchObject({ streamName: 'key-b', revision: '0', position: '2' });
    await tamper([`UPDATE events SET data = replace(data, '"EVENT ', '"event ') WHERE position = ?`, 2]);
    result = await verify();
    expect(result.firstBadEvent).toMatchObject({ streamName: 'key-b', revision: '1', position: '5' });
    expect(gate.answeredInOrder).toEqual(ANSWER_ORDER);
  });

  it('reports an altered event hashed on the worker before one hashed on its own thread', async () => {
    // Position 4 is in the second batch; position 28 is read when four batches are still unanswered.
    await tamper(alter(28), alter(4));
    const result = await verify();
    expect(result.firstBadEvent).toMatchObject({ streamName: 'key-a', revision: '1', position: '4' });
    expect(gate.batches).toBe(4);
  });

  it('fails, rather than passes, when the worker could not check a batch', async () => {
    // Position 5 (batch 1) is not JSON: only the worker parses it, and its answer is an error.
    await tamper([`UPDATE events SET data = 'not JSON' WHERE position = ?`, 5]);
    await expect(verify()).rejects.toThrow(/a batch of events could not be hashed/);
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
});
