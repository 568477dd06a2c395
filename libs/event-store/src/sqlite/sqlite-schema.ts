import { randomUUID } from 'node:crypto';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { EventStoreError } from '../event-store.port.js';

const SCHEMA_VERSION = 1;

/**
 * A random id kept in the file (in a table an older build ignores), so a
 * copy of the file is the same store and a migrated copy is another one.
 */
export function storeId(db: SqliteDatabase): string {
  db.exec('CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
  db.prepare("INSERT OR IGNORE INTO store_meta (name, value) VALUES ('store_id', ?)").run(randomUUID());
  return db.prepare("SELECT value FROM store_meta WHERE name = 'store_id'").pluck().get() as string;
}

export function migrateSchema(db: SqliteDatabase, filePath: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new EventStoreError(
      `${filePath} has event store schema v${version}; this build understands up to v${SCHEMA_VERSION}`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  // position is the rowid: events are never deleted and a rolled-back insert
  // does not consume a rowid, so positions stay dense and in commit order.
  db.exec(`
    BEGIN IMMEDIATE;
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
    ) STRICT;
    PRAGMA user_version = ${SCHEMA_VERSION};
    COMMIT;
  `);
}
