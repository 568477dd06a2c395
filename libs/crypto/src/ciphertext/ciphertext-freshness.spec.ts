import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encrypt, parseCiphertext } from './ciphertext-codec.js';

const keyId = randomUUID();
const keyMaterialId = randomBytes(32).toString('hex');
const backingKey = randomBytes(32);
const POISON = 0xa5;
const POISON_RUN = Buffer.alloc(4, POISON);

const plaintexts = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes));
const contexts = fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), {
  nil: undefined,
});

/**
 * The codec writes its output into Buffer.allocUnsafe memory, which Node carves out of a shared 8 KiB pool.
 * Filling the whole current pool with a known byte first makes any byte of the salt or IV that the codec forgot to
 * randomise show up as that byte, instead of as whatever happened to be there (often random-looking old output).
 * Returns the pool, or undefined when allocations are not pooled.
 */
function poisonBufferPool(): ArrayBufferLike | undefined {
  const probe = Buffer.allocUnsafe(1);
  if (probe.buffer.byteLength !== Buffer.poolSize) return undefined;
  new Uint8Array(probe.buffer).fill(POISON);
  return probe.buffer;
}

describe('ciphertext salt and IV (property)', () => {
  it('every ciphertext gets all 44 bytes of a fresh random salt and IV, none left from memory', () => {
    const seenSalts = new Set<string>();
    const seenIvs = new Set<string>();
    let checkedInPoisonedPool = 0;
    fc.assert(
      fc.property(plaintexts, contexts, (plaintext, encryptionContext) => {
        const pool = poisonBufferPool();
        const blob = encrypt({ backingKey, keyId, keyMaterialId, plaintext, encryptionContext });
        const { salt, iv } = parseCiphertext(blob);
        if (pool !== undefined && blob.buffer === pool) {
          checkedInPoisonedPool++;
          expect(Buffer.concat([salt, iv]).includes(POISON_RUN)).toBe(false);
        }
        const saltHex = salt.toString('hex');
        const ivHex = iv.toString('hex');
        expect(seenSalts.has(saltHex)).toBe(false);
        expect(seenIvs.has(ivHex)).toBe(false);
        seenSalts.add(saltHex);
        seenIvs.add(ivHex);
      }),
      { numRuns: 300 },
    );
    // Otherwise the poison check above never ran and the test would prove nothing about stale bytes.
    expect(checkedInPoisonedPool).toBeGreaterThan(0);
  });

  it('the same plaintext and context twice give different salts, IVs and bodies', () => {
    fc.assert(
      fc.property(
        // 16 bytes or more: two bodies of fresh keystream then collide with chance 2^-128, where a
        // one-byte body collides once in 256 and made this test flaky.
        plaintexts.filter((p) => p.length >= 16),
        contexts,
        (plaintext, encryptionContext) => {
          const a = parseCiphertext(encrypt({ backingKey, keyId, keyMaterialId, plaintext, encryptionContext }));
          const b = parseCiphertext(encrypt({ backingKey, keyId, keyMaterialId, plaintext, encryptionContext }));
          expect(a.salt.equals(b.salt)).toBe(false);
          expect(a.iv.equals(b.iv)).toBe(false);
          // Body and tag together: a one-byte body alone repeats by chance once in 256 pairs.
          expect(Buffer.concat([a.ciphertext, a.tag]).equals(Buffer.concat([b.ciphertext, b.tag]))).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});
