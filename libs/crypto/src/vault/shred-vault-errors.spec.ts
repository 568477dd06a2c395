import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticRootKeyProvider } from '../root-key/static-root-key-provider.js';
import { ShredKeyExistsError, ShredVault, ShredVaultError } from './shred-vault.js';

/*
 * The vault's refusals by their text and what they leave, the format a wrapped shred key is
 * stored in (other builds must read it), and the calls that must do nothing.
 */
const dirs: string[] = [];
const closers: Array<() => void> = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-vault-errors-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const rootKey = StaticRootKeyProvider.fromKey(randomBytes(32));
function openVault(dir = tempDir()): ShredVault {
  const vault = ShredVault.open(dir, rootKey);
  closers.push(() => vault.close());
  return vault;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('shred vault refusals', () => {
  it('refuses an existing id by name, as a ShredKeyExistsError that is a ShredVaultError', () => {
    const vault = openVault();
    vault.create('k1');
    const error = errorOf(() => vault.create('k1'));
    expect(error).toBeInstanceOf(ShredKeyExistsError);
    expect(error).toBeInstanceOf(ShredVaultError);
    expect(error.name).toBe('ShredKeyExistsError');
    expect(error.message).toBe('a shred key with id "k1" already exists');
    expect((error as ShredKeyExistsError).id).toBe('k1');
  });

  it('creates many in one transaction: all or none, naming every id asked for when one is taken', () => {
    const vault = openVault();
    vault.create('taken');
    const error = errorOf(() => vault.createMany(['fresh-1', 'taken', 'fresh-2']));
    expect(error).toBeInstanceOf(ShredKeyExistsError);
    expect(error.message).toBe('a shred key with id "fresh-1, taken, fresh-2" already exists');
    expect(vault.has('fresh-1')).toBe(false);
    expect(vault.has('fresh-2')).toBe(false);
    const created = vault.createMany(['a', 'b']);
    expect(created.map(({ id, key }) => [id, key.length])).toEqual([
      ['a', 32],
      ['b', 32],
    ]);
    expect(vault.get('a')).toEqual(created[0]!.key);
    expect(vault.get('b')).toEqual(created[1]!.key);
  });

  it('says which key cannot be unwrapped, and why, keeping the cause', () => {
    const dir = tempDir();
    const vault = openVault(dir);
    vault.create('k1');
    vault.close();
    const stranger = ShredVault.open(dir, StaticRootKeyProvider.fromKey(randomBytes(32)));
    closers.push(() => stranger.close());
    const error = errorOf(() => stranger.get('k1'));
    expect(error).toBeInstanceOf(ShredVaultError);
    expect(error.name).toBe('ShredVaultError');
    expect(error.message).toBe(
      'shred key "k1" cannot be unwrapped: vault.db is corrupt or belongs to a different root key',
    );
    expect((error.cause as Error).name).toBe('RootKeyUnwrapError');
    expect(stranger.opensUnderRootKey()).toBe(false);
  });

  it('refuses a bad id with the rule it breaks', () => {
    const vault = openVault();
    const rule = new TypeError('shred key id must be a non-empty, well-formed string of at most 512 characters');
    for (const bad of ['', 'x'.repeat(513), 'a\ud800'])
      for (const call of [
        () => vault.create(bad),
        () => vault.get(bad),
        () => vault.has(bad),
        () => vault.destroy([bad]),
      ])
        expect(call).toThrow(rule);
  });

  it('refuses to make a missing vault where keys depend on it, and makes nothing', () => {
    const dir = tempDir();
    const error = errorOf(() => ShredVault.open(dir, rootKey, { refuseToCreate: '4 keys have material' }));
    expect(error).toBeInstanceOf(ShredVaultError);
    expect(error.message).toBe(
      `key vault ${join(dir, 'vault.db')} is missing, but 4 keys have material; without it no key material opens: ` +
        'restore vault.db from your backup (keyledger restore)',
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('shred vault format and no-ops', () => {
  it('wraps each key under the root key bound to "keyledger/shred-key/v1:<id>"', () => {
    const vault = openVault();
    const key = vault.create('k1');
    const wrapped = vault.database.prepare<[], Buffer>("SELECT wrapped FROM shred_key WHERE id = 'k1'").pluck().get()!;
    expect(rootKey.unwrap(wrapped, 'keyledger/shred-key/v1:k1')).toEqual(key);
  });

  it('returns the stored key from getOrCreate when the id holds one', () => {
    const vault = openVault();
    const key = vault.getOrCreate('k1');
    expect(vault.getOrCreate('k1')).toEqual(key);
    expect(vault.get('k1')).toEqual(key);
  });

  it('destroys nothing, and does not checkpoint, when given no ids: a reader holding the vault is no obstacle', () => {
    const dir = tempDir();
    const vault = openVault(dir);
    vault.create('kept');
    const reader = new Database(join(dir, 'vault.db'));
    closers.push(() => reader.open && reader.close());
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM shred_key').get();
    expect(() => vault.destroy([])).not.toThrow();
    expect(vault.has('kept')).toBe(true);
    reader.exec('COMMIT');
  });

  it('may be closed twice', () => {
    const vault = openVault();
    vault.close();
    expect(() => vault.close()).not.toThrow();
    expect(vault.database.open).toBe(false);
  });
});
