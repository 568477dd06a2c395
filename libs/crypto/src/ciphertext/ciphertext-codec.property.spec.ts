import fc from 'fast-check';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt, keyIdFromCiphertext, parseCiphertext } from './ciphertext-codec.js';
import { InvalidCiphertextError } from './invalid-ciphertext-error.js';

const backingKey = randomBytes(32);
const context = { purpose: 'property' };
const sealed = encrypt({
  backingKey,
  keyId: randomUUID(),
  keyMaterialId: randomBytes(32).toString('hex'),
  plaintext: Buffer.from('property secret'),
  encryptionContext: context,
});

/** Opens `blob` as the server would; the only failure allowed is InvalidCiphertextError (a 4xx). */
function open(blob: Buffer): 'opened' | 'refused' {
  try {
    keyIdFromCiphertext(blob);
    decrypt({ backingKey, parsed: parseCiphertext(blob), encryptionContext: context });
    return 'opened';
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCiphertextError);
    return 'refused';
  }
}

describe('the ciphertext codec never crashes (issue 11, property)', () => {
  it('any byte string is refused as an invalid ciphertext, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6144 }), (bytes) => {
        expect(open(Buffer.from(bytes))).toBe('refused');
      }),
      { numRuns: 2000 },
    );
  });

  it('any change to a real ciphertext is refused; only the ciphertext itself opens', () => {
    expect(open(sealed)).toBe('opened');
    fc.assert(
      fc.property(fc.nat(sealed.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const changed = Buffer.from(sealed);
        changed[at] = changed[at]! ^ xor;
        expect(open(changed)).toBe('refused');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat(sealed.length - 1), (length) => {
        expect(open(sealed.subarray(0, length))).toBe('refused');
      }),
    );
  });
});
