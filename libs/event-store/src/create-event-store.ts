import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isEventStoreUrl } from './esdb/esdb-connection-string.js';
import { EsdbEventStore } from './esdb/esdb-event-store.js';
import type { EventStore } from './event-store.port.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

export interface CreateEventStoreOptions {
  /** Where the embedded store keeps `ledger.db`. */
  dataDir: string;
  /**
   * An EventStoreDB/KurrentDB connection string: esdb://, kurrentdb://,
   * kurrent:// or kdb://, each also +discover, the scheme in any case. Empty
   * or absent: the embedded SQLite store.
   */
  eventStoreUrl?: string | null;
  /** Where the EventStoreDB adapter reports retries (rate-limited); default: process warnings. */
  log?(message: string): void;
}

export const LEDGER_FILE_NAME = 'ledger.db';

export function createEventStore({ dataDir, eventStoreUrl, log }: CreateEventStoreOptions): EventStore {
  const url = eventStoreUrl?.trim();
  if (url) {
    if (!isEventStoreUrl(url)) {
      const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? url;
      throw new Error(
        `Unsupported event store URL scheme '${scheme}': use esdb://, kurrentdb://, kurrent:// or kdb:// ` +
          '(each also +discover) for EventStoreDB/KurrentDB, or leave the URL empty for the embedded SQLite store',
      );
    }
    return new EsdbEventStore(url, log ? { log } : {});
  }
  if (!dataDir) throw new Error('createEventStore: dataDir is required for the embedded SQLite store');
  mkdirSync(dataDir, { recursive: true });
  return new SqliteEventStore(join(dataDir, LEDGER_FILE_NAME));
}
