import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { isWellFormedString } from '../internal/well-formed.js';
import type { RootKeyProvider } from '../root-key/root-key-provider.js';

export const SHRED_VAULT_FILE_NAME = 'vault.db';
const SHRED_KEY_BYTES = 32;
const MAX_ID_LENGTH = 512;
const SCHEMA_VERSION = 1;

export class ShredVaultError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ShredVaultError';
  }
}

export class ShredKeyExistsError extends ShredVaultError {
  constructor(readonly id: string) {
    super(`a shred key with id ${JSON.stringify(id)} already exists`);
    this.name = 'ShredKeyExistsError';
  }
}

/**
 * One random 256-bit shred key per id, each wrapped by the root key, in its own SQLite
 * file beside the ledger. The ledger is immutable; this file is the part that can really
 * forget: `destroy` deletes rows with secure_delete (freed bytes are zeroed) and then
 * truncates the WAL, so no copy of a destroyed wrapped key stays in vault.db or vault.db-wal.
 *
 * Plaintext shred keys are never written to disk. Limits (documented, not solvable here):
 * copies in backups or filesystem snapshots of the data directory, and flash/SSD
 * remapping below the filesystem.
 */
export class ShredVault {
  readonly #db: Database.Database;
  readonly #rootKey: RootKeyProvider;
  readonly #insert: Database.Statement<[string, Buffer]>;
  readonly #select: Database.Statement<[string], Buffer>;
  readonly #exists: Database.Statement<[string], number>;
  readonly #delete: Database.Statement<[string]>;
  readonly #deleteAll: (ids: readonly string[]) => void;
  readonly #insertAll: (rows: ReadonlyArray<[string, Buffer]>) => number;

  private constructor(db: Database.Database, rootKey: RootKeyProvider) {
    this.#db = db;
    this.#rootKey = rootKey;
    this.#insert = db.prepare<[string, Buffer]>(
      'INSERT INTO shred_key (id, wrapped) VALUES (?, ?) ON CONFLICT (id) DO NOTHING',
    );
    this.#select = db.prepare<[string], Buffer>('SELECT wrapped FROM shred_key WHERE id = ?').pluck();
    this.#exists = db.prepare<[string], number>('SELECT 1 FROM shred_key WHERE id = ?').pluck();
    this.#delete = db.prepare<[string]>('DELETE FROM shred_key WHERE id = ?');
    this.#deleteAll = db.transaction((ids: readonly string[]) => {
      for (const id of ids) this.#delete.run(id);
    });
    this.#insertAll = db.transaction((rows: ReadonlyArray<[string, Buffer]>) => {
      let changes = 0;
      for (const [id, wrapped] of rows) changes += this.#insert.run(id, wrapped).changes;
      if (changes !== rows.length) throw new ShredKeyExistsError(rows.map(([id]) => id).join(', '));
      return changes;
    });
  }

  /**
   * Opens (creating if needed) `<dataDir>/vault.db`. `refuseToCreate`: why a missing
   * vault must not be replaced by an empty one (every key would lose its material).
   */
  static open(dataDir: string, rootKey: RootKeyProvider, options: { refuseToCreate?: string } = {}): ShredVault {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, SHRED_VAULT_FILE_NAME);
    if (options.refuseToCreate !== undefined && !existsSync(path))
      throw new ShredVaultError(
        `key vault ${path} is missing, but ${options.refuseToCreate}; without it no key material opens: restore vault.db from your backup (keyledger restore)`,
      );
    // Pre-created 0600 because SQLite gives vault.db-wal and -shm the main file's mode.
    closeSync(openSync(path, 'a', 0o600));
    const db = new Database(path);
    try {
      configure(db, path);
      const vault = new ShredVault(db, rootKey);
      // A crash between a destroy's commit and its checkpoint leaves destroyed rows in the WAL.
      vault.#checkpoint();
      return vault;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Generates, stores (durably, before returning) and returns a new shred key.
   * Throws ShredKeyExistsError if `id` already holds one: silently returning the
   * existing key would hide an id collision between two backing keys. Use
   * `getOrCreate` where a retried command may legitimately repeat the id.
   */
  create(id: string): Buffer {
    const created = this.#tryCreate(id);
    if (created === undefined) throw new ShredKeyExistsError(id);
    return created;
  }

  /**
   * Creates a key for each id in one transaction (one durable commit for all):
   * all or none, ShredKeyExistsError if any id is taken.
   */
  createMany(ids: readonly string[]): Array<{ id: string; key: Buffer }> {
    for (const id of ids) assertId(id);
    const created = ids.map((id) => ({ id, key: randomBytes(SHRED_KEY_BYTES) }));
    try {
      this.#insertAll(created.map(({ id, key }) => [id, this.#rootKey.wrap(key, wrapContext(id))]));
    } catch (error) {
      for (const { key } of created) key.fill(0);
      throw error;
    }
    return created;
  }

  /** The existing key for `id`, or a new one stored under it. */
  getOrCreate(id: string): Buffer {
    return this.#tryCreate(id) ?? this.#getExisting(id);
  }

  get(id: string): Buffer | undefined {
    assertId(id);
    const wrapped = this.#select.get(id);
    return wrapped === undefined ? undefined : this.#unwrap(id, wrapped);
  }

  has(id: string): boolean {
    assertId(id);
    return this.#exists.get(id) !== undefined;
  }

  /**
   * Deletes the keys (unknown ids are ignored, so a retried deletion succeeds) in one
   * transaction, then checkpoints and truncates the WAL. When this returns, the wrapped
   * keys are gone from vault.db and vault.db-wal, and every material sealed under them is
   * unreadable for good.
   */
  destroy(ids: readonly string[]): void {
    for (const id of ids) assertId(id);
    if (ids.length === 0) return;
    this.#deleteAll(ids);
    this.#checkpoint();
  }

  /**
   * This vault's identity: a random id made with the vault and never changed, so a
   * data directory can tell its own vault from another one put in its place.
   */
  get identity(): string {
    return this.#db.prepare<[], string>("SELECT value FROM vault_meta WHERE name = 'vault_id'").pluck().get()!;
  }

  /** Whether the root key opens this vault's keys (checked on one; a vault with none passes). */
  opensUnderRootKey(): boolean {
    const row = this.#db
      .prepare<[], { id: string; wrapped: Buffer }>('SELECT id, wrapped FROM shred_key LIMIT 1')
      .get();
    if (row === undefined) return true;
    try {
      this.#unwrap(row.id, row.wrapped).fill(0);
      return true;
    } catch {
      return false;
    }
  }

  /** The open database, for SQLite's online backup (`keyledger backup`). */
  get database(): Database.Database {
    return this.#db;
  }

  close(): void {
    if (!this.#db.open) return;
    try {
      this.#checkpoint();
    } finally {
      this.#db.close();
    }
  }

  #tryCreate(id: string): Buffer | undefined {
    assertId(id);
    const key = randomBytes(SHRED_KEY_BYTES);
    const { changes } = this.#insert.run(id, this.#rootKey.wrap(key, wrapContext(id)));
    if (changes === 1) return key;
    key.fill(0);
    return undefined;
  }

  #getExisting(id: string): Buffer {
    const key = this.get(id);
    if (key === undefined) throw new ShredVaultError(`shred key ${JSON.stringify(id)} vanished during getOrCreate`);
    return key;
  }

  #unwrap(id: string, wrapped: Buffer): Buffer {
    try {
      return this.#rootKey.unwrap(wrapped, wrapContext(id));
    } catch (error) {
      throw new ShredVaultError(
        `shred key ${JSON.stringify(id)} cannot be unwrapped: vault.db is corrupt or belongs to a different root key`,
        { cause: error },
      );
    }
  }

  #checkpoint(): void {
    // TRUNCATE waits (busy_timeout) for readers, copies every frame into vault.db and
    // cuts the WAL to zero bytes; secure_delete already zeroed the freed cells in those frames.
    const [result] = this.#db.pragma('wal_checkpoint(TRUNCATE)') as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    // wal_checkpoint always answers one row; were it ever missing, `undefined !== 0` refuses as well.
    // Stryker disable next-line OptionalChaining: the row is always there (above)
    if (result?.busy !== 0) {
      throw new ShredVaultError(
        'the vault WAL could not be checkpointed because another connection is using vault.db; destroyed keys are deleted but may remain on disk until the next successful checkpoint',
      );
    }
  }
}

function configure(db: Database.Database, path: string): void {
  db.pragma('busy_timeout = 5000');
  const journalMode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(journalMode).toLowerCase() !== 'wal') {
    throw new ShredVaultError(`cannot enable WAL mode on ${path} (got ${String(journalMode)})`);
  }
  db.pragma('synchronous = FULL');
  // Per connection, not persisted: must be set on every open, and checked, because
  // without it deleted wrapped keys stay readable in free space.
  db.pragma('secure_delete = ON');
  if (Number(db.pragma('secure_delete', { simple: true })) !== 1) {
    throw new ShredVaultError(
      `cannot enable secure_delete on ${path}; refusing to run a vault whose deletions are not real`,
    );
  }
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > SCHEMA_VERSION) {
    throw new ShredVaultError(
      `${path} has schema version ${version}, newer than this build understands (${SCHEMA_VERSION})`,
    );
  }
  db.exec(`CREATE TABLE IF NOT EXISTS shred_key (
    id TEXT PRIMARY KEY NOT NULL,
    wrapped BLOB NOT NULL
  ) STRICT`);
  // Added within schema 1: older builds ignore the table; a vault made before it gets its id on first open.
  db.exec('CREATE TABLE IF NOT EXISTS vault_meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT');
  db.prepare("INSERT INTO vault_meta (name, value) VALUES ('vault_id', ?) ON CONFLICT (name) DO NOTHING").run(
    randomUUID(),
  );
  // Stryker disable next-line ConditionalExpression,EqualityOperator: re-writing the version it has changes nothing
  if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

// The id is bound into the wrap, so a wrapped key copied to another row does not unwrap.
function wrapContext(id: string): string {
  return `keyledger/shred-key/v1:${id}`;
}

function assertId(id: string): void {
  if (!isWellFormedString(id) || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new TypeError(`shred key id must be a non-empty, well-formed string of at most ${MAX_ID_LENGTH} characters`);
  }
}
