import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CIPHERTEXT_HEADER_LENGTH, decrypt, encodeHeader, encrypt, parseCiphertext } from './ciphertext-codec.js';
import { encodeEncryptionContext, InvalidEncryptionContextError } from './encryption-context.js';
import type { InvalidCiphertextError } from './invalid-ciphertext-error.js';

/*
 * What the ciphertext codec and the encryption context refuse, each by its reason and text, and the
 * parsed-ciphertext fields a caller could hand decrypt by hand (a version it does not know, a short tag).
 */
const keyId = randomUUID();
const keyMaterialId = randomBytes(32).toString('hex');
const backingKey = randomBytes(32);

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('encryption context refusals', () => {
  it.each([
    ['a string', 'ab'],
    ['an array', ['x']],
    ['a number', 5],
  ])('refuses %s as a context, by name and text (its characters are not pairs)', (_what, context) => {
    const error = errorOf(() => encodeEncryptionContext(context as unknown as Record<string, string>));
    expect(error).toBeInstanceOf(InvalidEncryptionContextError);
    expect(error.name).toBe('InvalidEncryptionContextError');
    expect(error.message).toBe('encryption context must be an object of string keys to string values');
  });

  it('says whether a key or a value was not a well-formed string', () => {
    expect(() => encodeEncryptionContext({ '\udc00': 'a' })).toThrow(
      new InvalidEncryptionContextError('encryption context keys must be well-formed strings'),
    );
    expect(() => encodeEncryptionContext({ a: 7 as unknown as string })).toThrow(
      new InvalidEncryptionContextError('encryption context values must be well-formed strings'),
    );
  });
});

describe('ciphertext codec refusals', () => {
  it('refuses header fields of the wrong size or form, by text', () => {
    const fields = { keyId, keyMaterialId, salt: randomBytes(32), iv: randomBytes(12) };
    expect(() => encodeHeader({ ...fields, salt: randomBytes(31) })).toThrow(new RangeError('salt must be 32 bytes'));
    expect(() => encodeHeader({ ...fields, iv: randomBytes(13) })).toThrow(new RangeError('iv must be 12 bytes'));
    expect(() => encodeHeader({ ...fields, keyId: keyId.toUpperCase() })).toThrow(
      new TypeError('keyId must be a lowercase UUID or a multi-Region mrk- id'),
    );
    expect(() => encodeHeader({ ...fields, keyMaterialId: keyMaterialId.slice(1) })).toThrow(
      new TypeError('keyMaterialId must be 64 lowercase hex digits'),
    );
    expect(encodeHeader(fields)).toHaveLength(CIPHERTEXT_HEADER_LENGTH);
  });

  it('refuses a backing key that is not 32 secret bytes, by text', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const key of [randomBytes(31), privateKey])
      expect(() => encrypt({ backingKey: key, keyId, keyMaterialId, plaintext: Buffer.from('x') })).toThrow(
        new RangeError('backing key must be 32 bytes'),
      );
  });

  it('tells a two-byte blob that is not ours from one that is too short', () => {
    expect((errorOf(() => parseCiphertext(Buffer.from([0x00, 0x01]))) as InvalidCiphertextError).reason).toBe(
      'NOT_KEYLEDGER_CIPHERTEXT',
    );
    const short = errorOf(() => parseCiphertext(Buffer.from([0x4b])));
    expect(short).toMatchObject({ name: 'InvalidCiphertextError', reason: 'TOO_SHORT' });
    expect(short.message).toBe('ciphertext is too short');
  });

  it('refuses to decrypt parsed fields of a version it does not know (3), even when the bytes are version 1', () => {
    const parsed = parseCiphertext(encrypt({ backingKey, keyId, keyMaterialId, plaintext: Buffer.from('secret') }));
    const error = errorOf(() => decrypt({ backingKey, parsed: { ...parsed, version: 3 } }));
    expect(error).toMatchObject({ reason: 'UNSUPPORTED_VERSION' });
    expect(error.message).toBe('ciphertext format version is not supported');
    expect(decrypt({ backingKey, parsed })).toEqual(Buffer.from('secret'));
  });

  it('never accepts a truncated tag, which would let a forger guess 4 bytes instead of 16', () => {
    const parsed = parseCiphertext(encrypt({ backingKey, keyId, keyMaterialId, plaintext: Buffer.from('secret') }));
    for (const length of [4, 8, 12, 15])
      expect(() => decrypt({ backingKey, parsed: { ...parsed, tag: parsed.tag.subarray(0, length) } })).toThrow();
  });
});
