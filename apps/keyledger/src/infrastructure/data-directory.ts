import Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  resolveRootKeyProvider,
  rootKeyCheckValue,
  ROOT_KEY_FILE_NAME,
  SHRED_VAULT_FILE_NAME,
  ShredVault,
  type RootKeyProvider,
} from '@keyledger/crypto';
import { LEDGER_FILE_NAME, type StoreIdentity } from '@keyledger/event-store';
import { removeStaleSnapshotTemporaries, snapshotMacKeyPurpose, type SnapshotSeal } from '@keyledger/read-models';
import { DataDirLock } from './data-dir-lock.js';

export const IDENTITY_FILE_NAME = 'keyledger-data-dir.json';
export const LEDGER_VIEW_SNAPSHOT_FILE = 'ledger-view.snapshot';
const IDENTITY_FORMAT = 'keyledger/data-dir/v1';

/** The data directory is damaged or does not belong together: one line, naming the file. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** What a data directory records, when first made, of the root key and the vault it was made with. */
export interface DataDirIdentity {
  format: typeof IDENTITY_FORMAT;
  createdAt: string;
  /** rootKeyCheckValue of the root key: not the key, nothing derivable from it. */
  rootKeyCheck: string;
  /** ShredVault.identity of vault.db. */
  vaultId: string;
}

export interface OpenedDataDir {
  lock: DataDirLock;
  rootKey: RootKeyProvider;
  vault: ShredVault;
  identity: DataDirIdentity;
  /** Closes the vault, then lets the directory go. */
  close(): void;
}

export interface DataDirOptions {
  dataDir: string;
  rootKeyBase64?: string | undefined;
  /** Whether the ledger lives in the data directory (false for EventStoreDB). */
  embeddedLedger: boolean;
  /** Who holds the lock, for the message another process gets. */
  purpose: string;
}

/**
 * Opens a data directory the way every writer must: locked first, then the root
 * key and the vault, each checked against what the directory recorded when it was
 * made. Nothing is created when something it would replace exists: a new root key
 * or an empty vault beside an existing ledger reads none of it, and later writes
 * would be wrapped under the wrong key.
 */
export function openDataDirectory(options: DataDirOptions): OpenedDataDir {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = DataDirLock.acquire(dataDir, options.purpose);
  let vault: ShredVault | undefined;
  try {
    // Left by a process that stopped mid-write; under the lock no one else is writing one.
    removeStaleSnapshotTemporaries(join(dataDir, LEDGER_VIEW_SNAPSHOT_FILE));
    const identityPath = join(dataDir, IDENTITY_FILE_NAME);
    const recorded = readIdentity(identityPath);
    const ledgerPath = join(dataDir, LEDGER_FILE_NAME);
    const vaultPath = join(dataDir, SHRED_VAULT_FILE_NAME);
    const ledgerHoldsKeys = options.embeddedLedger && ledgerHasKeyMaterial(ledgerPath);
    const exists = [
      recorded && identityPath,
      options.embeddedLedger && existsSync(ledgerPath) && ledgerPath,
      existsSync(vaultPath) && vaultPath,
    ].filter(Boolean);
    const rootKey = resolveRootKeyProvider({
      dataDir,
      rootKeyBase64: options.rootKeyBase64,
      refuseToCreate: exists.length > 0 ? `${exists.join(' and ')} exist` : undefined,
    });
    const check = rootKeyCheckValue(rootKey);
    const rootKeySource = options.rootKeyBase64 ? 'KEYLEDGER_ROOT_KEY' : join(dataDir, ROOT_KEY_FILE_NAME);
    if (recorded && recorded.rootKeyCheck !== check)
      throw new DataDirError(
        `root key ${rootKeySource} is not the one ${identityPath} recorded when this data directory was made; restore the right root key from your backup`,
      );
    const vaultNeeded = recorded
      ? `${identityPath} records vault ${recorded.vaultId}`
      : ledgerHoldsKeys
        ? `${ledgerPath} holds key material sealed under its keys`
        : undefined;
    vault = ShredVault.open(dataDir, rootKey, { refuseToCreate: vaultNeeded });
    if (recorded && recorded.vaultId !== vault.identity)
      throw new DataDirError(
        `key vault ${vaultPath} is vault ${vault.identity}, not vault ${recorded.vaultId} that ${identityPath} records; restore this directory's own vault.db from your backup (keyledger restore)`,
      );
    if (!recorded && !vault.opensUnderRootKey())
      throw new DataDirError(
        `key vault ${vaultPath} was not made under root key ${rootKeySource}; restore the matching pair from your backup`,
      );
    const identity = recorded ?? writeIdentity(identityPath, { rootKeyCheck: check, vaultId: vault.identity });
    const opened = vault;
    return {
      lock,
      rootKey,
      vault: opened,
      identity,
      close() {
        try {
          opened.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    vault?.close();
    lock.release();
    throw error;
  }
}

function readIdentity(path: string): DataDirIdentity | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataDirError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: Partial<DataDirIdentity>;
  try {
    parsed = JSON.parse(text) as Partial<DataDirIdentity>;
  } catch {
    throw new DataDirError(`${path} is not valid JSON; restore it from your backup`);
  }
  if (
    parsed?.format !== IDENTITY_FORMAT ||
    typeof parsed.rootKeyCheck !== 'string' ||
    typeof parsed.vaultId !== 'string' ||
    typeof parsed.createdAt !== 'string'
  )
    throw new DataDirError(`${path} is not a ${IDENTITY_FORMAT} record; restore it from your backup`);
  return parsed as DataDirIdentity;
}

function writeIdentity(path: string, values: { rootKeyCheck: string; vaultId: string }): DataDirIdentity {
  const identity: DataDirIdentity = { format: IDENTITY_FORMAT, createdAt: new Date().toISOString(), ...values };
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(identity, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  // The directory entry must survive a power loss as surely as the keys it describes.
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return identity;
}

/** Whether the embedded ledger records any sealed material (read-only; a missing file holds none). */
function ledgerHasKeyMaterial(path: string): boolean {
  if (!existsSync(path)) return false;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() === undefined)
      return false;
    const row = db
      .prepare(
        "SELECT 1 FROM events WHERE type IN ('KeyMaterialGenerated', 'KeyMaterialImported', 'KeyImportParametersIssued') LIMIT 1",
      )
      .get();
    return row !== undefined;
  } catch (error) {
    throw new DataDirError(`cannot read ledger ${path}: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
}

/**
 * The view snapshot's MAC key (root-derived) and the store it must come from: the
 * store's own identity (a copy of the ledger file is the same store, a migrated one
 * is not), bound to this data directory's own identity (its vault's id).
 */
export function snapshotSealOf(dir: OpenedDataDir, store: StoreIdentity): SnapshotSeal {
  return {
    macKey: dir.rootKey.deriveKey(snapshotMacKeyPurpose),
    storeIdentity: `${store.engine}:${store.id}@${dir.identity.vaultId}`,
  };
}
