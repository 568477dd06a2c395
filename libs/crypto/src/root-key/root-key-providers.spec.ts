import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRootKeyProvider } from './file-root-key-provider.js';
import { resolveRootKeyProvider } from './resolve-root-key-provider.js';
import { RootKeyError, RootKeyUnwrapError } from './root-key-provider.js';
import { StaticRootKeyProvider } from './static-root-key-provider.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-root-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function expectRootKeyError(fn: () => unknown, pattern: RegExp, secret?: Buffer): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RootKeyError);
    expect((error as Error).message).toMatch(pattern);
    if (secret) {
      expect((error as Error).message).not.toContain(secret.toString('hex'));
      expect((error as Error).message).not.toContain(secret.toString('base64'));
    }
    return;
  }
  throw new Error('expected RootKeyError');
}

describe('FileRootKeyProvider', () => {
  it('creates a 32-byte key file with mode 0600 on first start and reuses it afterwards', () => {
    const dir = tempDir();
    const first = FileRootKeyProvider.openOrCreate(dir);
    expect(first.created).toBe(true);
    const path = join(dir, 'root.key');
    expect(first.path).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path)).toHaveLength(32);
    expect(readdirSync(dir)).toEqual(['root.key']);

    const second = FileRootKeyProvider.openOrCreate(dir);
    expect(second.created).toBe(false);
    const wrapped = first.wrap(Buffer.from('secret'), 'ctx');
    expect(second.unwrap(wrapped, 'ctx')).toEqual(Buffer.from('secret'));
    expect(second.deriveKey('checkpoints')).toEqual(first.deriveKey('checkpoints'));
  });

  it('creates the data directory if needed', () => {
    const dir = join(tempDir(), 'nested', 'data');
    FileRootKeyProvider.openOrCreate(dir);
    expect(statSync(join(dir, 'root.key')).size).toBe(32);
  });

  it.each([0o644, 0o640, 0o604, 0o620, 0o602])('refuses a key file with mode %o', (mode) => {
    const dir = tempDir();
    const key = randomBytes(32);
    writeFileSync(join(dir, 'root.key'), key, { mode: 0o600 });
    chmodSync(join(dir, 'root.key'), mode);
    expectRootKeyError(() => FileRootKeyProvider.openOrCreate(dir), /accessible by group or others.*chmod 600/, key);
  });

  it.each([0, 31, 33, 64])('refuses a key file of %i bytes', (length) => {
    const dir = tempDir();
    const key = randomBytes(length);
    writeFileSync(join(dir, 'root.key'), key, { mode: 0o600 });
    expectRootKeyError(
      () => FileRootKeyProvider.openOrCreate(dir),
      new RegExp(`exactly 32 raw bytes but has ${length}`),
      length > 0 ? key : undefined,
    );
    // Never "repaired" by overwriting: that would orphan everything wrapped under the old key.
    expect(readFileSync(join(dir, 'root.key'))).toEqual(key);
  });

  it('refuses a directory named root.key', () => {
    const dir = tempDir();
    FileRootKeyProvider.openOrCreate(join(dir, 'root.key'));
    expectRootKeyError(() => FileRootKeyProvider.openOrCreate(dir), /not a regular file/);
  });

  it('keeps the key out of util.inspect', () => {
    const dir = tempDir();
    const provider = FileRootKeyProvider.openOrCreate(dir);
    const key = readFileSync(join(dir, 'root.key'));
    const shown = inspect(provider, { depth: 10, showHidden: true });
    expect(shown).not.toContain(key.toString('hex'));
    expect(shown).not.toMatch(/<Buffer/);
  });
});

describe('StaticRootKeyProvider', () => {
  it('accepts base64 of 32 bytes (surrounding whitespace ignored)', () => {
    const key = randomBytes(32);
    const a = StaticRootKeyProvider.fromBase64(key.toString('base64'));
    const b = StaticRootKeyProvider.fromBase64(`  ${key.toString('base64')}\n`);
    expect(b.unwrap(a.wrap(Buffer.from('x'), 'c'), 'c')).toEqual(Buffer.from('x'));
  });

  it.each([16, 31, 33, 48])('rejects base64 of %i bytes, naming the setting and not the value', (length) => {
    const key = randomBytes(length);
    expectRootKeyError(
      () => StaticRootKeyProvider.fromBase64(key.toString('base64')),
      new RegExp(`KEYLEDGER_ROOT_KEY must decode to exactly 32 bytes, but it decodes to ${length} bytes`),
      key,
    );
  });

  it('rejects text that is not canonical base64', () => {
    const b64 = randomBytes(32).toString('base64');
    expectRootKeyError(() => StaticRootKeyProvider.fromBase64(''), /decodes to 0 bytes/);
    for (const bad of [
      'not base64 at all!',
      b64.slice(0, -1),
      b64.replace('=', ''),
      `${b64.slice(0, 10)}*${b64.slice(11)}`,
      randomBytes(32).toString('base64url').replace(/=*$/, ''),
    ]) {
      if (/^[A-Za-z0-9+/]{43}=$/.test(bad)) continue;
      expectRootKeyError(() => StaticRootKeyProvider.fromBase64(bad), /not valid base64/);
    }
  });
});

describe('root key wrap / unwrap / deriveKey', () => {
  const provider = StaticRootKeyProvider.fromKey(randomBytes(32));

  it('round-trips, with a fresh IV each time', () => {
    const plaintext = randomBytes(32);
    const a = provider.wrap(plaintext, 'shred-key:1');
    const b = provider.wrap(plaintext, 'shred-key:1');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(plaintext)).toBe(false);
    expect(provider.unwrap(a, 'shred-key:1')).toEqual(plaintext);
  });

  it('binds the context', () => {
    const wrapped = provider.wrap(randomBytes(32), 'shred-key:1');
    expect(() => provider.unwrap(wrapped, 'shred-key:2')).toThrow(RootKeyUnwrapError);
    expect(() => provider.unwrap(wrapped, '')).toThrow(RootKeyUnwrapError);
  });

  it('fails on tampering, truncation and another root key', () => {
    const wrapped = provider.wrap(randomBytes(32), 'c');
    for (let i = 0; i < wrapped.length; i++) {
      const tampered = Buffer.from(wrapped);
      tampered[i] ^= 0x01;
      expect(() => provider.unwrap(tampered, 'c')).toThrow(RootKeyUnwrapError);
    }
    for (let length = 0; length < wrapped.length; length++) {
      expect(() => provider.unwrap(wrapped.subarray(0, length), 'c')).toThrow(RootKeyUnwrapError);
    }
    expect(() => StaticRootKeyProvider.fromKey(randomBytes(32)).unwrap(wrapped, 'c')).toThrow(RootKeyUnwrapError);
  });

  it('derives stable, purpose-separated 32-byte keys', () => {
    const rootKey = randomBytes(32);
    const p1 = StaticRootKeyProvider.fromKey(rootKey);
    const p2 = StaticRootKeyProvider.fromKey(rootKey);
    const k = p1.deriveKey('ledger-checkpoint-signing');
    expect(k).toHaveLength(32);
    expect(p2.deriveKey('ledger-checkpoint-signing')).toEqual(k);
    expect(p1.deriveKey('other')).not.toEqual(k);
    expect(k).not.toEqual(rootKey);
    expect(StaticRootKeyProvider.fromKey(randomBytes(32)).deriveKey('ledger-checkpoint-signing')).not.toEqual(k);
    expect(() => p1.deriveKey('')).toThrow(TypeError);
  });

  it('is not affected when the caller zeroes the buffer it passed in', () => {
    const rootKey = randomBytes(32);
    const p = StaticRootKeyProvider.fromKey(rootKey);
    const wrapped = p.wrap(Buffer.from('x'), 'c');
    rootKey.fill(0);
    expect(p.unwrap(wrapped, 'c')).toEqual(Buffer.from('x'));
  });
});

describe('resolveRootKeyProvider', () => {
  it('prefers the configured key and otherwise uses the key file', () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const configured = resolveRootKeyProvider({ dataDir: dir, rootKeyBase64: key.toString('base64') });
    expect(readdirSync(dir)).toEqual([]);
    const wrapped = configured.wrap(Buffer.from('x'), 'c');
    expect(StaticRootKeyProvider.fromKey(key).unwrap(wrapped, 'c')).toEqual(Buffer.from('x'));

    const fromFile = resolveRootKeyProvider({ dataDir: dir, rootKeyBase64: undefined });
    expect(fromFile).toBeInstanceOf(FileRootKeyProvider);
    expect(readdirSync(dir)).toEqual(['root.key']);
  });
});
