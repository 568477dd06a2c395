import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWrappingKeyPair, ImportUnwrapError, unwrapImportedMaterial } from './key-import.js';

describe('unwrapImportedMaterial', () => {
  const pair = generateWrappingKeyPair('RSA_2048');
  const wrap = (material: Buffer) =>
    publicEncrypt(
      {
        key: createPublicKey({ key: pair.publicKeyDer, format: 'der', type: 'spki' }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      material,
    );
  const failureOf = (blob: Buffer): Error => {
    try {
      unwrapImportedMaterial('RSAES_OAEP_SHA_256', pair.privateKeyDer, blob);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the unwrap to fail');
  };

  it('gives back 32 bytes of material', () => {
    const material = randomBytes(32);
    expect(unwrapImportedMaterial('RSAES_OAEP_SHA_256', pair.privateKeyDer, wrap(material))).toEqual(material);
  });

  it('answers a wrong length and a failed unwrap with one and the same error, so neither is an oracle', () => {
    const wrongLength = failureOf(wrap(randomBytes(31)));
    const garbage = failureOf(randomBytes(256));
    expect(wrongLength).toBeInstanceOf(ImportUnwrapError);
    expect(garbage).toBeInstanceOf(ImportUnwrapError);
    expect(wrongLength.message).toBe(garbage.message);
  });
});
