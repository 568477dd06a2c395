import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRootKeyProvider } from './file-root-key-provider.js';
import { resolveRootKeyProvider } from './resolve-root-key-provider.js';
import { RootKeyError, RootKeyUnwrapError } from './root-key-provider.js';
import { StaticRootKeyProvider } from './static-root-key-provider.js';

/*
 * The root key's refusals, each by its exact message (an operator acts on it), and what is left
 * behind: no new key, no temp file, no open file descriptor.
 */
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-root-key-refusals-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function rootKeyErrorOf(fn: () => unknown): RootKeyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RootKeyError);
    expect((error as Error).name).toBe('RootKeyError');
    return error as RootKeyError;
  }
  throw new Error('expected RootKeyError');
}

/** Descriptors this process holds open (Linux): a provider that leaks one would raise the count. */
const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

describe('FileRootKeyProvider refusals', () => {
  it('refuses to make a new key where one is missing but data it wrapped exists, and makes none', () => {
    const dir = tempDir();
    const path = join(dir, 'root.key');
    const error = rootKeyErrorOf(() =>
      FileRootKeyProvider.openOrCreate(dir, { refuseToCreate: 'the vault holds 3 shred keys' }),
    );
    expect(error.message).toBe(
      `root key file ${path} is missing, but the vault holds 3 shred keys; refusing to make a new one ` +
        '(it could read none of it): restore root.key from your backup',
    );
    expect(readdirSync(dir)).toEqual([]);
    // With the key file in place the same refusal reason is no obstacle.
    const created = FileRootKeyProvider.openOrCreate(dir);
    const reopened = FileRootKeyProvider.openOrCreate(dir, { refuseToCreate: 'the vault holds 3 shred keys' });
    expect(reopened.created).toBe(false);
    expect(reopened.deriveKey('p')).toEqual(created.deriveKey('p'));
  });

  it('says the key disappeared when root.key is taken (a dangling link) but cannot be read, and cleans up', () => {
    // link(2) finds the name taken (EEXIST: another process won), then reading it finds nothing.
    const dir = tempDir();
    const path = join(dir, 'root.key');
    symlinkSync(join(dir, 'nowhere'), path);
    const error = rootKeyErrorOf(() => FileRootKeyProvider.openOrCreate(dir));
    expect(error.message).toBe(`root key file ${path} disappeared while it was being created`);
    expect(readdirSync(dir)).toEqual(['root.key']);
  });

  it('names the file and the system error when the key file cannot be opened', () => {
    const parent = tempDir();
    const notADirectory = join(parent, 'data');
    writeFileSync(notADirectory, 'a file where the data directory should be');
    const error = rootKeyErrorOf(() => FileRootKeyProvider.openOrCreate(notADirectory));
    expect(error.message).toMatch(new RegExp(`^cannot open root key file ${join(notADirectory, 'root.key')}: ENOTDIR`));
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });

  it('shows the refused mode as four octal digits and says how to fix it', () => {
    const dir = tempDir();
    const path = join(dir, 'root.key');
    writeFileSync(path, randomBytes(32), { mode: 0o600 });
    chmodSync(path, 0o040);
    const error = rootKeyErrorOf(() => FileRootKeyProvider.openOrCreate(dir));
    expect(error.message).toBe(
      `root key file ${path} is accessible by group or others (mode 0040); refusing to start. ` +
        `Restrict it with: chmod 600 ${path}`,
    );
  });

  it('closes every file it opens, whether it creates, reads or refuses the key', () => {
    const dir = tempDir();
    const before = openDescriptors();
    FileRootKeyProvider.openOrCreate(dir);
    FileRootKeyProvider.openOrCreate(dir);
    writeFileSync(join(dir, 'root.key'), randomBytes(31), { mode: 0o600 });
    rootKeyErrorOf(() => FileRootKeyProvider.openOrCreate(dir));
    expect(openDescriptors()).toBe(before);
  });
});

describe('StaticRootKeyProvider refusals', () => {
  it('refuses a key of the wrong length, with its length and never its bytes', () => {
    const key = randomBytes(31);
    const error = rootKeyErrorOf(() => StaticRootKeyProvider.fromKey(key));
    expect(error.message).toBe('a root key must be exactly 32 bytes, got 31');
  });

  it('refuses a configured value that is not a string as not base64, naming the setting it was given', () => {
    const error = rootKeyErrorOf(() => StaticRootKeyProvider.fromBase64(undefined as unknown as string, 'ROOT'));
    expect(error.message).toBe(
      'ROOT is not valid base64; it must be the standard base64 encoding of exactly 32 random bytes',
    );
  });
});

describe('resolveRootKeyProvider', () => {
  it.each(['', '   ', '\n'])('takes a blank configured key (%j) as none and uses the key file', (blank) => {
    const dir = tempDir();
    const provider = resolveRootKeyProvider({ dataDir: dir, rootKeyBase64: blank });
    expect(provider).toBeInstanceOf(FileRootKeyProvider);
    expect(readdirSync(dir)).toEqual(['root.key']);
  });

  it('passes refuseToCreate on to the key file', () => {
    const dir = tempDir();
    const error = rootKeyErrorOf(() => resolveRootKeyProvider({ dataDir: dir, refuseToCreate: 'events exist' }));
    expect(error.message).toMatch(/is missing, but events exist; refusing to make a new one/);
  });
});

describe('root key wrap / unwrap / deriveKey boundaries', () => {
  const provider = StaticRootKeyProvider.fromKey(randomBytes(32));

  it('wraps and unwraps empty plaintext: a blob of exactly the overhead is valid', () => {
    const wrapped = provider.wrap(Buffer.alloc(0), 'c');
    expect(wrapped).toHaveLength(1 + 12 + 16);
    expect(provider.unwrap(wrapped, 'c')).toEqual(Buffer.alloc(0));
  });

  it('says what failed, and no more, when unwrapping fails', () => {
    const wrapped = provider.wrap(randomBytes(32), 'c');
    let failure: unknown;
    try {
      provider.unwrap(wrapped, 'other');
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(RootKeyUnwrapError);
    expect((failure as Error).name).toBe('RootKeyUnwrapError');
    expect((failure as Error).message).toBe(
      'root key unwrap failed: the wrapped data is corrupt, bound to a different context, or was wrapped under a ' +
        'different root key',
    );
  });

  it('refuses a context or a purpose that is not well-formed Unicode (it could not be encoded faithfully)', () => {
    expect(() => provider.wrap(Buffer.from('x'), 'ctx\ud800')).toThrow(
      new TypeError('wrap context must be a well-formed string'),
    );
    expect(() => provider.unwrap(provider.wrap(Buffer.from('x'), 'c'), '\udc00')).toThrow(TypeError);
    expect(() => provider.deriveKey('p\ud800')).toThrow(
      new TypeError('deriveKey purpose must be a non-empty, well-formed string'),
    );
  });

  it('binds a multi-byte context by its UTF-8 bytes', () => {
    const wrapped = provider.wrap(Buffer.from('x'), 'clé');
    expect(provider.unwrap(wrapped, 'clé')).toEqual(Buffer.from('x'));
    expect(() => provider.unwrap(wrapped, 'cle')).toThrow(RootKeyUnwrapError);
    expect(provider.deriveKey('clé')).not.toEqual(provider.deriveKey('cle'));
  });
});
