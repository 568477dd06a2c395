import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore, type JsonObject } from '@keyledger/event-store';
import { integrityOf, withIntegrity } from '@keyledger/ledger';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The built library, as the CLI and the server run it: its hash worker is compiled JavaScript.
// Types of the compiled modules, which are imported dynamically after the build.
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
type Integrity = typeof import('../libs/integrity/dist/index.js');
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
type HashPoolModule = typeof import('../libs/integrity/dist/verify/hash-pool.js');
let verifyLedger: Integrity['verifyLedger'];
let CheckpointKeys: Integrity['CheckpointKeys'];
let startHashPool: HashPoolModule['startHashPool'];
beforeAll(async () => {
  // A clean clone has no build yet (the CLI and server-process tests build the same way).
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  ({ verifyLedger, CheckpointKeys } = (await import('../libs/integrity/dist/index.js')) as Integrity);
  ({ startHashPool } = (await import('../libs/integrity/dist/verify/hash-pool.js')) as HashPoolModule);
}, 120_000);

const ROOT_SECRET = randomBytes(32);
const rootKey = { deriveKey: (purpose: string) => createHash('sha256').update(ROOT_SECRET).update(purpose).digest() };
const STREAMS = 4;
const PER_STREAM = 60;

let dir: string;
let file: string;
let store: SqliteEventStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-verify-worker-'));
  file = join(dir, 'ledger.db');
  store = new SqliteEventStore(file);
  // Streams interleaved: stream s, revision r at position STREAMS * r + s + 1.
  const previous: Array<string | null> = new Array(STREAMS).fill(null);
  for (let revision = 0; revision < PER_STREAM; revision++) {
    for (let s = 0; s < STREAMS; s++) {
      const streamName = `key-${s}`;
      const data = { revision, note: `event ${revision}`, tags: [{ TagKey: 'k', TagValue: `v${s}` }] };
      const metadata = withIntegrity(
        {
          streamName,
          revision: BigInt(revision),
          type: 'Noted',
          data,
          metadata: { requestId: randomUUID(), time: new Date(revision * 1000).toISOString() },
        },
        previous[s]!,
      );
      previous[s] = integrityOf(metadata)!.hash;
      await store.appendToStream(streamName, [
        { type: 'Noted', data: data as JsonObject, metadata: metadata as JsonObject },
      ]);
    }
  }
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function alter(...positions: number[]): Promise<void> {
  await store.close();
  const db = new Database(file);
  for (const position of positions)
    expect(
      db.prepare(`UPDATE events SET data = replace(data, '"event ', '"EVENT ') WHERE position = ?`).run(position)
        .changes,
    ).toBe(1);
  db.close();
  store = new SqliteEventStore(file);
}

const verify = () => verifyLedger(store, CheckpointKeys.fromRootKey(rootKey), { pageSize: 16, hashThreads: 1 });

describe('verify with its hash worker thread', () => {
  it('has a compiled worker that recomputes hashes: an intact batch passes, an edited event is named', async () => {
    const pool = startHashPool();
    expect(pool).toBeDefined();
    try {
      const events = await store.readAll({ maxCount: 20 });
      // The job layout hash-check.ts reads: seq, stream, revision, position, type, data and metadata as stored.
      const jobs = (edit?: number) =>
        events.flatMap((e, i) => [
          i + 1,
          e.streamName,
          String(e.revision),
          String(e.position),
          e.type,
          JSON.stringify(i === edit ? { ...(e.data as object), note: 'edited' } : e.data),
          JSON.stringify(e.metadata),
        ]);
      await expect(pool!.check(jobs())).resolves.toBeNull();
      const edited = events[13]!;
      await expect(pool!.check(jobs(13))).resolves.toEqual({
        seq: 14,
        streamName: edited.streamName,
        revision: String(edited.revision),
        position: String(edited.position),
      });
      expect(pool!.pending).toBe(0);
    } finally {
      await pool!.close();
    }
  });

  it('passes an untouched ledger', async () => {
    expect(await verify()).toMatchObject({ ok: true, eventsChecked: STREAMS * PER_STREAM, streamsChecked: STREAMS });
  });

  it('reports the first altered event in global order, wherever it was hashed', async () => {
    // Position 7 is in the first page, always handed to the worker; 150 and 230 come later.
    await alter(230, 7, 150);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: 'key-2', revision: '1', position: '7' });
    expect(result.firstBadEvent!.problem).toMatch(/altered/);
  });

  it('reports an altered event of a later page', async () => {
    await alter(230, 150);
    const result = await verify();
    expect(result.firstBadEvent).toMatchObject({ streamName: 'key-1', revision: '37', position: '150' });
  });
});
