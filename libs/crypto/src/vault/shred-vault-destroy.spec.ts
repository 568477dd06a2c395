import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticRootKeyProvider } from '../root-key/static-root-key-provider.js';
import { ShredVault, ShredVaultError } from './shred-vault.js';

const dirs: string[] = [];
const closers: Array<() => void> = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-vault-destroy-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function connect(dir: string, options?: Database.Options): Database.Database {
  const db = new Database(join(dir, 'vault.db'), options);
  closers.push(() => db.open && db.close());
  return db;
}

function walBytes(dir: string): number {
  const wal = join(dir, 'vault.db-wal');
  return existsSync(wal) ? statSync(wal).size : 0;
}

function rawVaultBytes(dir: string): Buffer {
  return Buffer.concat(
    ['vault.db', 'vault.db-wal']
      .map((name) => join(dir, name))
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path)),
  );
}

function wrappedOf(dir: string, id: string): Buffer {
  const db = connect(dir, { readonly: true });
  const wrapped = db.prepare<[string], Buffer>('SELECT wrapped FROM shred_key WHERE id = ?').pluck().get(id);
  db.close();
  return Buffer.from(wrapped!);
}

describe('ShredVault.destroy', () => {
  it('given a key, when destroyed, then its row is gone, the WAL is empty and no copy of the wrapped bytes remains', () => {
    const dir = tempDir();
    const vault = ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)));
    closers.push(() => vault.close());
    const id = randomUUID();
    vault.create(id);
    vault.create('kept');
    const wrapped = wrappedOf(dir, id);
    expect(rawVaultBytes(dir).includes(wrapped)).toBe(true);
    expect(walBytes(dir)).toBeGreaterThan(0);

    vault.destroy([id]);

    expect(vault.has(id)).toBe(false);
    expect(vault.get(id)).toBeUndefined();
    expect(vault.has('kept')).toBe(true);
    expect(walBytes(dir)).toBe(0);
    expect(rawVaultBytes(dir).includes(wrapped)).toBe(false);
  });

  it('given a reader holding the vault, when a key is destroyed, then it says the checkpoint failed, and the next one cleans up', () => {
    const dir = tempDir();
    const rootKey = StaticRootKeyProvider.fromKey(randomBytes(32));
    const vault = ShredVault.open(dir, rootKey);
    closers.push(() => vault.close());
    vault.create('doomed');
    vault.create('kept');
    const wrapped = wrappedOf(dir, 'doomed');

    // An open read transaction pins the WAL: TRUNCATE cannot finish while it lasts.
    const reader = connect(dir);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM shred_key').get();

    let refusal: unknown;
    try {
      vault.destroy(['doomed']);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ShredVaultError);
    expect((refusal as Error).message).toMatch(/could not be checkpointed because another connection/);
    expect(vault.has('doomed')).toBe(false);

    reader.exec('COMMIT');
    reader.close();
    vault.destroy(['doomed']);
    expect(walBytes(dir)).toBe(0);
    expect(rawVaultBytes(dir).includes(wrapped)).toBe(false);
  });

  it('given a destroy whose checkpoint never ran (a crash), when the vault is opened again, then the WAL is truncated', () => {
    const dir = tempDir();
    const rootKey = StaticRootKeyProvider.fromKey(randomBytes(32));
    const vault = ShredVault.open(dir, rootKey);
    vault.create('doomed');
    const wrapped = wrappedOf(dir, 'doomed');
    // The delete as a destroy commits it, without the checkpoint that follows.
    const crashed = connect(dir);
    crashed.pragma('secure_delete = ON');
    crashed.prepare('DELETE FROM shred_key WHERE id = ?').run('doomed');
    expect(walBytes(dir)).toBeGreaterThan(0);
    crashed.close();
    vault.close();
    // Closing the last connection may checkpoint on its own; put a destroyed row in the WAL again to be sure.
    const again = connect(dir);
    again.pragma('journal_mode = WAL');
    again.pragma('wal_autocheckpoint = 0');
    again.exec("INSERT INTO shred_key (id, wrapped) VALUES ('left-in-wal', x'00')");
    expect(walBytes(dir)).toBeGreaterThan(0);

    const reopened = ShredVault.open(dir, rootKey);
    closers.push(() => reopened.close());
    expect(walBytes(dir)).toBe(0);
    expect(reopened.has('doomed')).toBe(false);
    expect(rawVaultBytes(dir).includes(wrapped)).toBe(false);
  });

  it('given a reader pinning a WAL left with rows, when the vault is opened, then it refuses and keeps no connection', () => {
    const dir = tempDir();
    const rootKey = StaticRootKeyProvider.fromKey(randomBytes(32));
    ShredVault.open(dir, rootKey).close();
    const writer = connect(dir);
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec("INSERT INTO shred_key (id, wrapped) VALUES ('left-in-wal', x'00')");
    const reader = connect(dir);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM shred_key').get();

    expect(() => ShredVault.open(dir, rootKey)).toThrow(
      new ShredVaultError(
        'the vault WAL could not be checkpointed because another connection is using vault.db; destroyed keys are deleted but may remain on disk until the next successful checkpoint',
      ),
    );
    // SQLite keeps a closed connection's descriptor while another one in the process holds a lock on the file,
    // so the count is taken once the others are closed: a connection the failed open kept would hold three.
    reader.exec('COMMIT');
    reader.close();
    writer.close();
    expect(openVaultFiles(dir)).toEqual([]);
  });
});

/** The descriptors this process holds on vault.db and its WAL: each connection holds its own. */
function openVaultFiles(dir: string): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(join('/proc/self/fd', fd));
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith(join(dir, 'vault.db')))
    .sort();
}

describe('ShredVault schema', () => {
  it('given a vault of a newer schema, refuses to open it and changes nothing', () => {
    const dir = tempDir();
    ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32))).close();
    const db = connect(dir);
    db.pragma('user_version = 2');
    db.close();
    expect(() => ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)))).toThrow(
      /has schema version 2, newer than this build understands \(1\)/,
    );
    const after = connect(dir, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(2);
  });

  it('given an empty file (schema 0), creates the table and records schema 1', () => {
    const dir = tempDir();
    connect(dir).close();
    const vault = ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)));
    vault.create('k');
    vault.close();
    const db = connect(dir, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT count(*) FROM shred_key').pluck().get()).toBe(1);
  });

  it('stores deletions zeroed: secure_delete is on for the vault connection', () => {
    const dir = tempDir();
    const vault = ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)));
    closers.push(() => vault.close());
    // Many rows on one page: without secure_delete, SQLite leaves a deleted cell's bytes in the page's free space.
    for (let i = 0; i < 20; i++) vault.create(`k${i}`);
    const wrapped = wrappedOf(dir, 'k7');
    vault.destroy(['k7']);
    expect(readFileSync(join(dir, 'vault.db')).includes(wrapped)).toBe(false);
  });
});

describe('ShredVault ids', () => {
  it('accepts an id of 512 characters and refuses 513, a lone surrogate or an empty id', () => {
    const vault = ShredVault.open(tempDir(), StaticRootKeyProvider.fromKey(randomBytes(32)));
    closers.push(() => vault.close());
    expect(vault.create('x'.repeat(512))).toHaveLength(32);
    for (const bad of ['x'.repeat(513), '\ud800', '']) {
      expect(() => vault.has(bad)).toThrow(TypeError);
      expect(() => vault.get(bad)).toThrow(TypeError);
      expect(() => vault.getOrCreate(bad)).toThrow(TypeError);
      expect(() => vault.createMany(['ok', bad])).toThrow(TypeError);
      expect(() => vault.destroy([bad])).toThrow(TypeError);
    }
    expect(vault.has('ok')).toBe(false);
  });
});
