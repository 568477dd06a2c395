import {
  constants,
  createCipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  publicEncrypt,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateWrappingKeyPair,
  IMPORTED_MATERIAL_BYTES,
  importTokenKeyPurpose,
  ImportUnwrapError,
  InvalidImportTokenError,
  issueImportToken,
  publicKeySha256,
  readImportToken,
  unwrapImportedMaterial,
  type ImportWrappingAlgorithm,
  type WrappingKeyPair,
} from './key-import.js';

// What a caller does with the PublicKey of GetParametersForImport (the openssl recipe, in node:crypto).
function oaepWrap(pair: WrappingKeyPair, hash: 'sha1' | 'sha256', data: Buffer): Buffer {
  const key = createPublicKey({ key: pair.publicKeyDer, format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
}

function kwp(aesKey: Buffer, material: Buffer): Buffer {
  const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
  return Buffer.concat([cipher.update(material), cipher.final()]);
}

function rsaAesWrap(pair: WrappingKeyPair, hash: 'sha1' | 'sha256', material: Buffer, aesKey = randomBytes(32)) {
  return Buffer.concat([oaepWrap(pair, hash, aesKey), kwp(aesKey, material)]);
}

const pair2048 = generateWrappingKeyPair('RSA_2048');
const UNWRAP_FAILED =
  'The encrypted key material could not be unwrapped with these import parameters, or it is not 32 bytes of key material for a symmetric key.';
const HASH_OF: Record<ImportWrappingAlgorithm, 'sha1' | 'sha256'> = {
  RSAES_OAEP_SHA_1: 'sha1',
  RSAES_OAEP_SHA_256: 'sha256',
  RSA_AES_KEY_WRAP_SHA_1: 'sha1',
  RSA_AES_KEY_WRAP_SHA_256: 'sha256',
};

function wrapFor(algorithm: ImportWrappingAlgorithm, pair: WrappingKeyPair, material: Buffer): Buffer {
  const hash = HASH_OF[algorithm];
  return algorithm.startsWith('RSAES_OAEP') ? oaepWrap(pair, hash, material) : rsaAesWrap(pair, hash, material);
}

describe('generateWrappingKeyPair', () => {
  it('given RSA_2048, issues an RSA public key of 2048 bits as DER SPKI, its private half as PKCS#8', () => {
    const publicKey = createPublicKey({ key: pair2048.publicKeyDer, format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const privateKey = createPrivateKey({ key: pair2048.privateKeyDer, format: 'der', type: 'pkcs8' });
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toEqual(pair2048.publicKeyDer);
  });

  it('publicKeySha256 is the hex SHA-256 of the DER public key', () => {
    expect(publicKeySha256(pair2048.publicKeyDer)).toBe(
      createHash('sha256').update(pair2048.publicKeyDer).digest('hex'),
    );
  });
});

describe('unwrapImportedMaterial', () => {
  const algorithms: ImportWrappingAlgorithm[] = [
    'RSAES_OAEP_SHA_1',
    'RSAES_OAEP_SHA_256',
    'RSA_AES_KEY_WRAP_SHA_1',
    'RSA_AES_KEY_WRAP_SHA_256',
  ];

  it.each(algorithms)('given material wrapped with %s, when unwrapped with it, then returns the 32 bytes', (alg) => {
    const material = randomBytes(IMPORTED_MATERIAL_BYTES);
    expect(unwrapImportedMaterial(alg, pair2048.privateKeyDer, wrapFor(alg, pair2048, material))).toEqual(material);
  });

  it.each([
    ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1'],
    ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'],
    ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'],
    ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'],
    ['RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_256'],
  ] as const)('given material wrapped with %s, when unwrapped as %s, then refuses', (wrappedWith, claimed) => {
    const wrapped = wrapFor(wrappedWith, pair2048, randomBytes(32));
    expect(() => unwrapImportedMaterial(claimed, pair2048.privateKeyDer, wrapped)).toThrow(
      new ImportUnwrapError(UNWRAP_FAILED),
    );
  });

  it('given material wrapped under another wrapping key, refuses', () => {
    const other = generateWrappingKeyPair('RSA_2048');
    const wrapped = wrapFor('RSAES_OAEP_SHA_256', other, randomBytes(32));
    expect(() => unwrapImportedMaterial('RSAES_OAEP_SHA_256', pair2048.privateKeyDer, wrapped)).toThrow(
      ImportUnwrapError,
    );
  });

  it('given RSA_3072, issues 3072 bits and reads the RSA part by that modulus (384 bytes), then the AES-KWP part', () => {
    const pair3072 = generateWrappingKeyPair('RSA_3072');
    const publicKey = createPublicKey({ key: pair3072.publicKeyDer, format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    const material = randomBytes(32);
    const wrapped = rsaAesWrap(pair3072, 'sha256', material);
    expect(wrapped.length).toBe(384 + 40);
    expect(unwrapImportedMaterial('RSA_AES_KEY_WRAP_SHA_256', pair3072.privateKeyDer, wrapped)).toEqual(material);
  });

  // One and the same error as a failed unwrap, so that the length is no oracle on the unwrapped bytes.
  it.each([31, 33, 16, 64])(
    'given %i bytes of material, refuses as a failed unwrap: a symmetric key takes 32',
    (length) => {
      for (const alg of algorithms) {
        const wrapped = wrapFor(alg, pair2048, randomBytes(length));
        expect(() => unwrapImportedMaterial(alg, pair2048.privateKeyDer, wrapped)).toThrow(
          new ImportUnwrapError(UNWRAP_FAILED),
        );
      }
    },
  );

  it('given a range of lengths (an HMAC key), accepts both ends and refuses one byte outside, naming the range', () => {
    const hmac224 = { min: 28, max: 64, what: 'an HMAC_224 key' };
    const refusal = new ImportUnwrapError(
      'The encrypted key material could not be unwrapped with these import parameters, ' +
        'or it is not 28 to 64 bytes of key material for an HMAC_224 key.',
    );
    for (const alg of algorithms) {
      for (const length of [28, 64]) {
        const material = randomBytes(length);
        const wrapped = wrapFor(alg, pair2048, material);
        expect(unwrapImportedMaterial(alg, pair2048.privateKeyDer, wrapped, hmac224)).toEqual(material);
      }
      for (const length of [27, 65]) {
        const wrapped = wrapFor(alg, pair2048, randomBytes(length));
        expect(() => unwrapImportedMaterial(alg, pair2048.privateKeyDer, wrapped, hmac224)).toThrow(refusal);
      }
      expect(() => unwrapImportedMaterial(alg, pair2048.privateKeyDer, randomBytes(300), hmac224)).toThrow(refusal);
    }
  });

  it('answers a wrong length and a failed unwrap with one and the same error, so neither is an oracle', () => {
    const failureOf = (blob: Buffer): Error => {
      try {
        unwrapImportedMaterial('RSAES_OAEP_SHA_256', pair2048.privateKeyDer, blob);
      } catch (error) {
        return error as Error;
      }
      throw new Error('expected the unwrap to fail');
    };
    const wrongLength = failureOf(oaepWrap(pair2048, 'sha256', randomBytes(31)));
    const garbage = failureOf(randomBytes(256));
    expect(wrongLength).toBeInstanceOf(ImportUnwrapError);
    expect(garbage).toBeInstanceOf(ImportUnwrapError);
    expect(wrongLength.message).toBe(garbage.message);
  });

  it('given only the RSA part of an RSA_AES_KEY_WRAP blob, refuses', () => {
    const wrapped = rsaAesWrap(pair2048, 'sha256', randomBytes(32));
    expect(() =>
      unwrapImportedMaterial('RSA_AES_KEY_WRAP_SHA_256', pair2048.privateKeyDer, wrapped.subarray(0, 256)),
    ).toThrow(ImportUnwrapError);
    expect(() =>
      unwrapImportedMaterial('RSA_AES_KEY_WRAP_SHA_256', pair2048.privateKeyDer, wrapped.subarray(0, 255)),
    ).toThrow(ImportUnwrapError);
  });

  it('given an ephemeral AES key that is not 256 bits, refuses', () => {
    const aesKey = randomBytes(16);
    const rsaPart = oaepWrap(pair2048, 'sha256', aesKey);
    const tail = kwp(randomBytes(32), randomBytes(32));
    expect(() =>
      unwrapImportedMaterial('RSA_AES_KEY_WRAP_SHA_256', pair2048.privateKeyDer, Buffer.concat([rsaPart, tail])),
    ).toThrow(ImportUnwrapError);
  });

  it('given a tampered AES-KWP part, refuses (the integrity check of RFC 5649 fails)', () => {
    const wrapped = rsaAesWrap(pair2048, 'sha1', randomBytes(32));
    wrapped[wrapped.length - 1]! ^= 0x01;
    expect(() => unwrapImportedMaterial('RSA_AES_KEY_WRAP_SHA_1', pair2048.privateKeyDer, wrapped)).toThrow(
      ImportUnwrapError,
    );
  });
});

describe('import tokens', () => {
  const tokenKey = randomBytes(32);
  const keyId = randomUUID();
  const importTokenId = randomUUID();

  it('given a token issued for a key, when read for that key, then names its import token id', () => {
    const token = issueImportToken(tokenKey, keyId, importTokenId);
    expect(token.length).toBe(5 + 16 + 16 + 32);
    expect(token.subarray(0, 5).toString('latin1')).toBe('KLIT1');
    expect(readImportToken(tokenKey, token, keyId)).toBe(importTokenId);
  });

  it('a multi-Region key has tokens too, bound to its id and never to the UUID of the same digits', () => {
    const digits = randomUUID().replace(/-/g, '');
    const mrk = `mrk-${digits}`;
    const token = issueImportToken(tokenKey, mrk, importTokenId);
    expect(token.length).toBe(5 + 16 + 16 + 32);
    expect(token.subarray(0, 5).toString('latin1')).toBe('KLIM1');
    expect(readImportToken(tokenKey, token, mrk)).toBe(importTokenId);
    const sameDigits = digits.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const issuedFor = new InvalidImportTokenError('The import token was issued for another key.');
    expect(() => readImportToken(tokenKey, token, sameDigits)).toThrow(issuedFor);
    expect(() => readImportToken(tokenKey, issueImportToken(tokenKey, sameDigits, importTokenId), mrk)).toThrow(
      issuedFor,
    );
    expect(() => readImportToken(tokenKey, token, `mrk-${randomUUID().replace(/-/g, '')}`)).toThrow(issuedFor);
  });

  it('given a token issued for another key, refuses it as such', () => {
    const token = issueImportToken(tokenKey, randomUUID(), importTokenId);
    expect(() => readImportToken(tokenKey, token, keyId)).toThrow(
      new InvalidImportTokenError('The import token was issued for another key.'),
    );
  });

  it('given a token made under another token key, refuses', () => {
    const token = issueImportToken(randomBytes(32), keyId, importTokenId);
    expect(() => readImportToken(tokenKey, token, keyId)).toThrow(
      new InvalidImportTokenError('The import token is not valid.'),
    );
  });

  it('given any single flipped byte, refuses', () => {
    const token = issueImportToken(tokenKey, keyId, importTokenId);
    for (let i = 0; i < token.length; i++) {
      const tampered = Buffer.from(token);
      tampered[i]! ^= 0x80;
      expect(() => readImportToken(tokenKey, tampered, keyId)).toThrow(InvalidImportTokenError);
    }
  });

  it('given a token one byte short or long, refuses', () => {
    const token = issueImportToken(tokenKey, keyId, importTokenId);
    for (const wrong of [token.subarray(0, token.length - 1), Buffer.concat([token, Buffer.from([0])])]) {
      expect(() => readImportToken(tokenKey, wrong, keyId)).toThrow(
        new InvalidImportTokenError('The import token is not valid.'),
      );
    }
  });

  it('given a correctly MACed body with another magic, refuses: the magic is checked, not only the MAC', () => {
    const body = Buffer.concat([
      Buffer.from('KLIT2', 'latin1'),
      Buffer.from(keyId.replaceAll('-', ''), 'hex'),
      Buffer.from(importTokenId.replaceAll('-', ''), 'hex'),
    ]);
    const forged = Buffer.concat([body, createHmac('sha256', tokenKey).update(body).digest()]);
    expect(() => readImportToken(tokenKey, forged, keyId)).toThrow(
      new InvalidImportTokenError('The import token is not valid.'),
    );
  });

  it('refuses ids that are not UUIDs, anchored at both ends', () => {
    const hex32 = 'a'.repeat(32);
    for (const bad of ['not-a-uuid', `${keyId}0`, `0${keyId}`, keyId.slice(1), hex32.toUpperCase(), `${hex32}aa`]) {
      expect(() => issueImportToken(tokenKey, bad, importTokenId)).toThrow(new InvalidImportTokenError('Not a UUID.'));
    }
    expect(readImportToken(tokenKey, issueImportToken(tokenKey, hex32, importTokenId), hex32)).toBe(importTokenId);
  });

  it('derives its token key under a fixed purpose (changing it invalidates every outstanding token)', () => {
    expect(importTokenKeyPurpose).toBe('keyledger/import-token/v1');
  });
});
