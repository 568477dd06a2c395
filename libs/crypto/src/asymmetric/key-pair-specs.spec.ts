import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPairFor, keyPairSpecOf, type KeyPairSpec } from './key-pairs.js';

/*
 * Which key pairs have an AWS KeySpec, and which spec names make a key pair: both sides of each rule, so
 * that a key AWS has no spec for is never served as one, and a name that only looks like a table entry
 * (an inherited property of every object) makes nothing.
 */
describe('keyPairSpecOf', () => {
  it('gives a 2048-bit RSA key its spec, and none to 1024 or 2056 bits with the same exponent', () => {
    const rsa = (modulusLength: number) => generateKeyPairSync('rsa', { modulusLength }).privateKey;
    expect(keyPairSpecOf(rsa(2048))).toBe('RSA_2048');
    expect(keyPairSpecOf(rsa(1024))).toBeUndefined();
    expect(keyPairSpecOf(rsa(2056))).toBeUndefined();
  });

  it('gives none to key types AWS has no key pair spec for (X25519, Ed448, DSA)', () => {
    for (const key of [
      generateKeyPairSync('x25519').publicKey,
      generateKeyPairSync('ed448').publicKey,
      generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }).publicKey,
    ])
      expect(keyPairSpecOf(key)).toBeUndefined();
  });
});

describe('generateKeyPairFor', () => {
  it.each(['RSA_1024', 'ECC_NIST_P224', 'toString', 'constructor', 'hasOwnProperty', ''])(
    'refuses the spec name %j, by text',
    async (spec) => {
      await expect(generateKeyPairFor(spec as KeyPairSpec)).rejects.toThrow(
        new RangeError(`no key pair for spec ${spec}`),
      );
    },
  );
});
