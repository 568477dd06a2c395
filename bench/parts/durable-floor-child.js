// The durable-commit floor: raw better-sqlite3, WAL, synchronous=FULL, one INSERT
// per transaction (autocommit), back to back for BENCH_SECONDS, in a data dir on
// the same filesystem as the servers'. Reports commits/s.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { childMain, tempDir } from '../lib/common.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

childMain(async () => {
  const dir = tempDir('durable-floor');
  try {
    const db = new Database(join(dir, 'floor.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // The ledger's schema, so the floor pays for the same indexes.
    db.exec(`CREATE TABLE events (
      position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL,
      id TEXT NOT NULL COLLATE NOCASE UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL,
      metadata TEXT, recorded_at INTEGER NOT NULL, UNIQUE (stream, revision)) STRICT`);
    const insert = db.prepare(
      'INSERT INTO events (stream, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const data = JSON.stringify({
      aliasName: 'alias/bench',
      fromKeyId: randomUUID(),
      toKeyId: randomUUID(),
      movedAt: new Date().toISOString(),
    });
    const metadata = JSON.stringify({
      actor: { principal: 'arn:aws:iam::111122223333:user/admin' },
      requestId: randomUUID(),
      time: new Date().toISOString(),
    });
    let n = 0;
    const t = performance.now();
    const until = t + SECONDS * 1000;
    while (performance.now() < until) insert.run('floor', n++, randomUUID(), 'AliasMoved', data, metadata, Date.now());
    const ms = performance.now() - t;
    db.close();
    return { commitsPerSec: (n / ms) * 1000, commits: n };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
