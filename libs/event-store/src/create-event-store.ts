import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EsdbEventStore } from './esdb/esdb-event-store.js';
import type { EventStore } from './event-store.port.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

export interface CreateEventStoreOptions {
  /** Where the embedded store keeps `ledger.db`. */
  dataDir: string;
  /**
   * An EventStoreDB/KurrentDB connection string (esdb://, esdb+discover://,
   * kurrentdb://, kurrentdb+discover://). Empty or absent: the embedded SQLite store.
   */
  eventStoreUrl?: string | null;
}

export const LEDGER_FILE_NAME = 'ledger.db';
const ESDB_SCHEMES = /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//i;

export function createEventStore({ dataDir, eventStoreUrl }: CreateEventStoreOptions): EventStore {
  const url = eventStoreUrl?.trim();
  if (url) {
    if (!ESDB_SCHEMES.test(url)) {
      const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? url;
      throw new Error(
        `Unsupported event store URL scheme '${scheme}': use esdb://, esdb+discover://, kurrentdb:// or ` +
          'kurrentdb+discover:// for EventStoreDB/KurrentDB, or leave the URL empty for the embedded SQLite store',
      );
    }
    return new EsdbEventStore(url);
  }
  if (!dataDir) throw new Error('createEventStore: dataDir is required for the embedded SQLite store');
  mkdirSync(dataDir, { recursive: true });
  return new SqliteEventStore(join(dataDir, LEDGER_FILE_NAME));
}
