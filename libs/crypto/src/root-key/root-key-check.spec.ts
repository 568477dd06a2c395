import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rootKeyCheckValue } from './root-key-check.js';
import type { RootKeyProvider } from './root-key-provider.js';
import { StaticRootKeyProvider } from './static-root-key-provider.js';

describe('rootKeyCheckValue', () => {
  it('is the first 16 bytes, in hex, of the key derived for "keyledger/root-key-check/v1"', () => {
    const rootKey = StaticRootKeyProvider.fromKey(randomBytes(32));
    const expected = rootKey.deriveKey('keyledger/root-key-check/v1').subarray(0, 16).toString('hex');
    expect(rootKeyCheckValue(rootKey)).toBe(expected);
    expect(rootKeyCheckValue(rootKey)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is the same for the same root key and differs for another', () => {
    const bytes = randomBytes(32);
    const value = rootKeyCheckValue(StaticRootKeyProvider.fromKey(bytes));
    expect(rootKeyCheckValue(StaticRootKeyProvider.fromKey(Buffer.from(bytes)))).toBe(value);
    expect(rootKeyCheckValue(StaticRootKeyProvider.fromKey(randomBytes(32)))).not.toBe(value);
  });

  it('zeroes the derived key once it has read the check value from it', () => {
    const real = StaticRootKeyProvider.fromKey(randomBytes(32));
    const derived: Buffer[] = [];
    const watched: RootKeyProvider = {
      wrap: (plaintext, context) => real.wrap(plaintext, context),
      unwrap: (wrapped, context) => real.unwrap(wrapped, context),
      deriveKey: (purpose) => {
        const key = real.deriveKey(purpose);
        derived.push(key);
        return key;
      },
    };
    const value = rootKeyCheckValue(watched);
    expect(value).toBe(rootKeyCheckValue(real));
    expect(derived).toHaveLength(1);
    expect(derived[0]).toEqual(Buffer.alloc(32));
  });
});
