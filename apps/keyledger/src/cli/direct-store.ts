import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { createEventStore, LEDGER_FILE_NAME, type EventStore } from '@keyledger/event-store';
import { ROOT_KEY_FILE_NAME, resolveRootKeyProvider, type RootKeyProvider } from '@keyledger/crypto';
import { DataDirLock, DataDirLockedError } from '../infrastructure/data-dir-lock.js';
import { CliFailure } from './cli-errors.js';

export interface StoreLocation {
  dataDir: string;
  /** esdb:// or kurrentdb://; undefined: the embedded store in dataDir. */
  eventStoreUrl?: string;
}

export const ledgerFile = (dataDir: string): string => join(resolve(dataDir), LEDGER_FILE_NAME);

/**
 * Opens the ledger the server would open. Opening the embedded store creates an
 * empty ledger when there is none, which for a CLI run against a mistyped
 * directory would be a silent "0 events, all fine": refuse instead.
 */
export function openLedger(location: StoreLocation): EventStore {
  if (!location.eventStoreUrl && !existsSync(ledgerFile(location.dataDir))) {
    throw new CliFailure(
      `no ledger at ${ledgerFile(location.dataDir)}: pass --data-dir (or set KEYLEDGER_DATA_DIR) to the server's data directory`,
    );
  }
  return createEventStore({ dataDir: resolve(location.dataDir), eventStoreUrl: location.eventStoreUrl });
}

/** The server's root key; never creates one (a new key could not read or verify anything). */
export function openRootKey(dataDir: string, rootKeyBase64: string | undefined): RootKeyProvider {
  if (!rootKeyBase64 && !existsSync(join(resolve(dataDir), ROOT_KEY_FILE_NAME))) {
    throw new CliFailure(
      `no root key: ${join(resolve(dataDir), ROOT_KEY_FILE_NAME)} does not exist and KEYLEDGER_ROOT_KEY is not set`,
    );
  }
  return resolveRootKeyProvider({ dataDir: resolve(dataDir), rootKeyBase64 });
}

/**
 * Number of events in an embedded ledger, for the progress bar's total. The
 * port has no count (EventStoreDB cannot give one cheaply); the embedded file
 * can, read-only, without touching the store's own connection.
 */
export function countEmbeddedEvents(dataDir: string): number | undefined {
  try {
    const db = new Database(ledgerFile(dataDir), { readonly: true, fileMustExist: true });
    try {
      return Number(db.prepare('SELECT count(*) FROM events').pluck().get());
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

/** The lock a server holds on a data directory, for a command that writes into one. */
export function lockDataDir(dataDir: string, purpose: string): DataDirLock {
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  try {
    return DataDirLock.acquire(resolve(dataDir), purpose);
  } catch (error) {
    if (error instanceof DataDirLockedError) throw new CliFailure(error.message);
    throw error;
  }
}
