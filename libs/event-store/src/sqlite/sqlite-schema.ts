import { randomUUID } from 'node:crypto';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { EventStoreError } from '../event-store.port.js';

const SCHEMA_VERSION = 2;

/**
 * A random id kept in the file (in a table an older build ignores), so a
 * copy of the file is the same store and a migrated copy is another one.
 */
export function storeId(db: SqliteDatabase): string {
  db.exec('CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
  db.prepare("INSERT OR IGNORE INTO store_meta (name, value) VALUES ('store_id', ?)").run(randomUUID());
  return db.prepare("SELECT value FROM store_meta WHERE name = 'store_id'").pluck().get() as string;
}

/**
 * Each version's step, applied in order in one transaction per step. v2 gives every event its stream's
 * category (streamCategory: the name before its first '-'), computed, not stored in the row, and an index
 * on it, whose entries are in (category, position) order: a read that leaves out a category (StreamFilter)
 * merges the index ranges of the categories it keeps and fetches only their rows, so the events it leaves
 * out cost it nothing however many there are. An existing file gets it on its first open by this build,
 * which indexes every event once; an older build refuses the migrated file (it understands v1 only).
 */
const STEPS: Record<number, string> = {
  // position is the rowid: events are never deleted and a rolled-back insert
  // does not consume a rowid, so positions stay dense and in commit order.
  1: `
    CREATE TABLE IF NOT EXISTS events (
      position    INTEGER PRIMARY KEY,
      stream      TEXT    NOT NULL,
      revision    INTEGER NOT NULL,
      id          TEXT    NOT NULL COLLATE NOCASE UNIQUE,
      type        TEXT    NOT NULL,
      data        TEXT    NOT NULL,
      metadata    TEXT,
      recorded_at INTEGER NOT NULL,
      UNIQUE (stream, revision)
    ) STRICT;`,
  2: `
    ALTER TABLE events ADD COLUMN category TEXT GENERATED ALWAYS AS
      (CASE WHEN instr(stream, '-') > 1 THEN substr(stream, 1, instr(stream, '-') - 1) END) VIRTUAL;
    CREATE INDEX events_by_category ON events (category);`,
};

export function migrateSchema(db: SqliteDatabase, filePath: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new EventStoreError(
      `${filePath} has event store schema v${version}; this build understands up to v${SCHEMA_VERSION}`,
    );
  }
  for (let step = version + 1; step <= SCHEMA_VERSION; step++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      // Read again under the write lock: another process opening the same file may have just migrated it.
      if ((db.pragma('user_version', { simple: true }) as number) < step) {
        db.exec(STEPS[step]!);
        db.pragma(`user_version = ${step}`);
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}
