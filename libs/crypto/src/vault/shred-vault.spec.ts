import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMaterial, sealMaterial, SealedMaterialError } from '../material/sealed-material.js';
import { StaticRootKeyProvider } from '../root-key/static-root-key-provider.js';
import { ShredKeyExistsError, ShredVault, ShredVaultError } from './shred-vault.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-vault-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The wrapped bytes as stored, read through a separate, short-lived connection. */
function storedWrapped(dir: string, ids: string[]): Map<string, Buffer> {
  const db = new Database(join(dir, 'vault.db'), { readonly: true });
  try {
    const select = db.prepare<[string], Buffer>('SELECT wrapped FROM shred_key WHERE id = ?').pluck();
    return new Map(ids.map((id) => [id, Buffer.from(select.get(id)!)]));
  } finally {
    db.close();
  }
}

/** Every byte SQLite keeps for the vault, concatenated (main file, WAL, shared-memory index). */
function rawVaultBytes(dir: string): Buffer {
  const parts = ['vault.db', 'vault.db-wal', 'vault.db-shm']
    .map((name) => join(dir, name))
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path));
  return Buffer.concat(parts);
}

describe('ShredVault', () => {
  it('creates, gets and reports keys, durably across reopen', () => {
    const dir = tempDir();
    const rootKey = StaticRootKeyProvider.fromKey(randomBytes(32));
    const vault = ShredVault.open(dir, rootKey);
    const key = vault.create('k1');
    expect(key).toHaveLength(32);
    expect(vault.has('k1')).toBe(true);
    expect(vault.get('k1')).toEqual(key);
    expect(vault.has('k2')).toBe(false);
    expect(vault.get('k2')).toBeUndefined();
    vault.close();

    const reopened = ShredVault.open(dir, rootKey);
    expect(reopened.get('k1')).toEqual(key);
    reopened.close();
    expect(statSync(join(dir, 'vault.db')).mode & 0o777).toBe(0o600);
  });

  it('refuses to create an existing id; getOrCreate returns it instead', () => {
    const vault = ShredVault.open(tempDir(), StaticRootKeyProvider.fromKey(randomBytes(32)));
    const key = vault.create('k1');
    expect(() => vault.create('k1')).toThrow(ShredKeyExistsError);
    expect(vault.get('k1')).toEqual(key);
    expect(vault.getOrCreate('k1')).toEqual(key);
    const other = vault.getOrCreate('k2');
    expect(vault.get('k2')).toEqual(other);
    vault.close();
  });

  it('never writes a plaintext shred key to disk', () => {
    const dir = tempDir();
    const vault = ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)));
    const keys = Array.from({ length: 20 }, (_, i) => vault.create(`k${i}`));
    const raw = rawVaultBytes(dir);
    for (const key of keys) expect(raw.includes(key)).toBe(false);
    vault.close();
  });

  it('cannot be read with another root key', () => {
    const dir = tempDir();
    const vault = ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)));
    vault.create('k1');
    vault.close();
    const stranger = ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)));
    expect(() => stranger.get('k1')).toThrow(ShredVaultError);
    stranger.close();
  });

  it('destroys for real: no copy of a destroyed wrapped key remains in vault.db or its WAL', () => {
    const dir = tempDir();
    const rootKey = StaticRootKeyProvider.fromKey(randomBytes(32));
    const vault = ShredVault.open(dir, rootKey);
    // Enough rows to span several pages, so deletion frees cells on more than one page.
    const ids = Array.from({ length: 300 }, () => randomUUID());
    const keys = new Map(ids.map((id) => [id, vault.create(id)]));
    const doomed = ids.filter((_, i) => i % 3 === 0);
    const kept = ids.filter((_, i) => i % 3 !== 0);
    const wrapped = storedWrapped(dir, ids);

    // Material sealed under a doomed shred key, as it would sit in a ledger event.
    const binding = { keyId: randomUUID(), keyMaterialId: randomBytes(32).toString('hex') };
    const sealed = sealMaterial(randomBytes(32), keys.get(doomed[0])!, binding);

    // The search must be able to find the bytes, or the assertions below prove nothing.
    const before = rawVaultBytes(dir);
    for (const id of doomed) expect(before.includes(wrapped.get(id)!)).toBe(true);

    vault.destroy(doomed);

    const wal = join(dir, 'vault.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    const afterDestroy = rawVaultBytes(dir);
    for (const id of doomed) expect(afterDestroy.includes(wrapped.get(id)!)).toBe(false);
    for (const id of kept) expect(afterDestroy.includes(wrapped.get(id)!)).toBe(true);
    vault.close();

    const afterClose = rawVaultBytes(dir);
    for (const id of doomed) expect(afterClose.includes(wrapped.get(id)!)).toBe(false);

    const reopened = ShredVault.open(dir, rootKey);
    for (const id of doomed) {
      expect(reopened.get(id)).toBeUndefined();
      expect(reopened.has(id)).toBe(false);
    }
    for (const id of kept) expect(reopened.get(id)).toEqual(keys.get(id));
    // The sealed material in the event is now unreadable: its shred key is gone, and a new key under the same id does
    // not open it.
    expect(() => openMaterial(sealed, reopened.create(doomed[0]), binding)).toThrow(SealedMaterialError);
    reopened.close();
  });

  it('treats destroying unknown or already destroyed ids as done', () => {
    const vault = ShredVault.open(tempDir(), StaticRootKeyProvider.fromKey(randomBytes(32)));
    vault.create('k1');
    vault.destroy(['k1', 'never-existed']);
    vault.destroy(['k1']);
    vault.destroy([]);
    expect(vault.has('k1')).toBe(false);
    vault.close();
  });

  it('has an identity of its own: a UUID made with the vault, kept across reopen, another for another vault', () => {
    const dir = tempDir();
    const rootKey = StaticRootKeyProvider.fromKey(randomBytes(32));
    const vault = ShredVault.open(dir, rootKey);
    const identity = vault.identity;
    expect(identity).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    vault.close();
    const reopened = ShredVault.open(dir, rootKey);
    expect(reopened.identity).toBe(identity);
    reopened.close();
    const other = ShredVault.open(tempDir(), rootKey);
    expect(other.identity).not.toBe(identity);
    other.close();
  });

  it('rejects empty ids', () => {
    const vault = ShredVault.open(tempDir(), StaticRootKeyProvider.fromKey(randomBytes(32)));
    expect(() => vault.create('')).toThrow(TypeError);
    expect(() => vault.destroy([''])).toThrow(TypeError);
    vault.close();
  });
});

describe('ShredVault.createMany', () => {
  it('stores every key in one transaction, all or none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyledger-vault-many-'));
    const vault = ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)));
    try {
      const created = vault.createMany(['a', 'b', 'c']);
      expect(created.map(({ id, key }) => [id, key.length])).toEqual([
        ['a', 32],
        ['b', 32],
        ['c', 32],
      ]);
      expect(vault.get('b')!.equals(created[1]!.key)).toBe(true);
      expect(() => vault.createMany(['d', 'a'])).toThrow(ShredKeyExistsError);
      expect(vault.has('d')).toBe(false);
    } finally {
      vault.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
