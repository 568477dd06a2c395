import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import {
  checkDataKeyPairSpec,
  checkOaepPlaintext,
  checkSigningMessage,
  DIGEST_LENGTH,
  maxOaepPlaintext,
} from './key-spec-limits.js';
import {
  algorithmsOf,
  isAsymmetricKeySpec,
  refusedKeySpec,
  requireAlgorithm,
  requireKeyUsage,
  resolveKeySpecAndUsage,
  type KeyUsage,
  type ServedKeySpec,
} from './key-specs.js';

const refusal = (value: unknown): DomainError => {
  if (!(value instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(value)}`);
  return value;
};

describe('key specs and usages', () => {
  it('lists each spec and usage algorithms exactly as AWS does', () => {
    expect(algorithmsOf('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT')).toEqual({
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    });
    expect(algorithmsOf('RSA_4096', 'ENCRYPT_DECRYPT')).toEqual({
      EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    });
    expect(algorithmsOf('RSA_2048', 'SIGN_VERIFY')).toEqual({
      SigningAlgorithms: [
        'RSASSA_PKCS1_V1_5_SHA_256',
        'RSASSA_PKCS1_V1_5_SHA_384',
        'RSASSA_PKCS1_V1_5_SHA_512',
        'RSASSA_PSS_SHA_256',
        'RSASSA_PSS_SHA_384',
        'RSASSA_PSS_SHA_512',
      ],
    });
    expect(algorithmsOf('ECC_NIST_P256', 'SIGN_VERIFY')).toEqual({ SigningAlgorithms: ['ECDSA_SHA_256'] });
    expect(algorithmsOf('ECC_NIST_P384', 'SIGN_VERIFY')).toEqual({ SigningAlgorithms: ['ECDSA_SHA_384'] });
    expect(algorithmsOf('ECC_NIST_P521', 'SIGN_VERIFY')).toEqual({ SigningAlgorithms: ['ECDSA_SHA_512'] });
    expect(algorithmsOf('ECC_SECG_P256K1', 'SIGN_VERIFY')).toEqual({ SigningAlgorithms: ['ECDSA_SHA_256'] });
    expect(algorithmsOf('ECC_NIST_P384', 'KEY_AGREEMENT')).toEqual({ KeyAgreementAlgorithms: ['ECDH'] });
    expect(algorithmsOf('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY')).toEqual({
      SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'],
    });
    expect(algorithmsOf('HMAC_224', 'GENERATE_VERIFY_MAC')).toEqual({ MacAlgorithms: ['HMAC_SHA_224'] });
    expect(algorithmsOf('HMAC_512', 'GENERATE_VERIFY_MAC')).toEqual({ MacAlgorithms: ['HMAC_SHA_512'] });
  });

  it.each([
    ['RSA_2048', 'ENCRYPT_DECRYPT'],
    ['RSA_3072', 'SIGN_VERIFY'],
    ['ECC_NIST_P256', 'KEY_AGREEMENT'],
    ['ECC_NIST_P521', 'SIGN_VERIFY'],
    ['ECC_SECG_P256K1', 'SIGN_VERIFY'],
    ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY'],
    ['HMAC_384', 'GENERATE_VERIFY_MAC'],
    ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
  ])('accepts %s for %s', (keySpec, keyUsage) => {
    expect(resolveKeySpecAndUsage({ keySpec, keyUsage })).toEqual({ keySpec, keyUsage });
    expect(resolveKeySpecAndUsage({ customerMasterKeySpec: keySpec, keyUsage })).toEqual({ keySpec, keyUsage });
  });

  it.each([
    ['RSA_2048', 'KEY_AGREEMENT'],
    ['RSA_2048', 'GENERATE_VERIFY_MAC'],
    ['ECC_NIST_P256', 'ENCRYPT_DECRYPT'],
    ['ECC_SECG_P256K1', 'KEY_AGREEMENT'],
    ['ECC_NIST_EDWARDS25519', 'KEY_AGREEMENT'],
    ['HMAC_256', 'SIGN_VERIFY'],
    ['SYMMETRIC_DEFAULT', 'SIGN_VERIFY'],
  ])('refuses %s for %s with AWS text', (keySpec, keyUsage) => {
    const error = refusal(resolveKeySpecAndUsage({ keySpec, keyUsage }));
    expect(error.code).toBe('Validation');
    expect(error.message).toBe(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  });

  it('needs a KeyUsage for every spec but SYMMETRIC_DEFAULT', () => {
    expect(resolveKeySpecAndUsage({})).toEqual({ keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' });
    const error = refusal(resolveKeySpecAndUsage({ keySpec: 'HMAC_256' }));
    expect(error.code).toBe('Validation');
    expect(error.message).toBe(
      'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    );
  });

  it('refuses KeySpec and CustomerMasterKeySpec together', () => {
    expect(
      refusal(
        resolveKeySpecAndUsage({ keySpec: 'RSA_2048', customerMasterKeySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }),
      ).code,
    ).toBe('Validation');
  });

  it('refuses SM2 (China Regions) and ML-DSA (no audited, constant-time library) as unsupported, saying why', () => {
    const sm2 = refusal(resolveKeySpecAndUsage({ keySpec: 'SM2', keyUsage: 'SIGN_VERIFY' }));
    expect(sm2.code).toBe('Unsupported');
    expect(sm2.message).toContain('China Regions');
    for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87']) {
      const error = refusal(resolveKeySpecAndUsage({ keySpec: spec, keyUsage: 'SIGN_VERIFY' }));
      expect(error.code).toBe('Unsupported');
      expect(error.message).toBe(
        `KeySpec ${spec} is not supported: Node 20's crypto has no ML-DSA, and no independently audited ML-DSA library with constant-time signing exists for Node yet, so Keyledger does not hold ML-DSA keys.`,
      );
    }
    expect(refusedKeySpec('RSA_2048')).toBeUndefined();
  });

  it('tells key pairs from secret keys', () => {
    expect(['RSA_2048', 'ECC_NIST_P256', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519'].every(isAsymmetricKeySpec)).toBe(
      true,
    );
    expect(['SYMMETRIC_DEFAULT', 'HMAC_256'].some(isAsymmetricKeySpec)).toBe(false);
  });

  it('words a wrong key usage as AWS does', () => {
    const key = { arn: 'arn:aws:kms:us-east-1:111122223333:key/k', keyUsage: 'SIGN_VERIFY' };
    expect(requireKeyUsage(key, 'SIGN_VERIFY', 'Sign')).toBeUndefined();
    const error = refusal(requireKeyUsage(key, 'ENCRYPT_DECRYPT', 'Encrypt'));
    expect(error.code).toBe('InvalidKeyUsage');
    expect(error.message).toBe(`${key.arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`);
  });

  it.each([
    ['HMAC_224', 'GENERATE_VERIFY_MAC', 'HMAC_SHA_256'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', 'HMAC_SHA_512'],
    ['ECC_NIST_P256', 'SIGN_VERIFY', 'ECDSA_SHA_384'],
    ['RSA_2048', 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT'],
  ] as [ServedKeySpec, KeyUsage, string][])('refuses %s with %s', (spec, usage, algorithm) => {
    const error = refusal(requireAlgorithm(spec, usage, algorithm));
    expect(error.code).toBe('InvalidKeyUsage');
    expect(error.message).toBe(`Algorithm ${algorithm} is incompatible with key spec ${spec}.`);
  });

  it('accepts each listed algorithm', () => {
    expect(requireAlgorithm('HMAC_224', 'GENERATE_VERIFY_MAC', 'HMAC_SHA_224')).toBeUndefined();
    expect(requireAlgorithm('RSA_2048', 'SIGN_VERIFY', 'RSASSA_PSS_SHA_512')).toBeUndefined();
    expect(requireAlgorithm('ECC_NIST_P521', 'KEY_AGREEMENT', 'ECDH')).toBeUndefined();
    expect(requireAlgorithm('RSA_3072', 'ENCRYPT_DECRYPT', 'RSAES_OAEP_SHA_1')).toBeUndefined();
  });
});

describe('message and plaintext limits', () => {
  it('takes RAW messages as they are, and RAW by default', () => {
    expect(checkSigningMessage('ECDSA_SHA_256', undefined, 4096)).toBe('RAW');
    expect(checkSigningMessage('ED25519_SHA_512', 'RAW', 1)).toBe('RAW');
  });

  it('checks a digest against its algorithm, with AWS text', () => {
    for (const [algorithm, length] of Object.entries(DIGEST_LENGTH)) {
      if (algorithm === 'ED25519_SHA_512') continue;
      const a = algorithm as keyof typeof DIGEST_LENGTH;
      expect(checkSigningMessage(a, 'DIGEST', length)).toBe('DIGEST');
      for (const wrong of [length - 1, length + 1]) {
        const error = refusal(checkSigningMessage(a, 'DIGEST', wrong));
        expect(error.code).toBe('Validation');
        expect(error.message).toBe(`Digest is invalid length for algorithm ${algorithm}.`);
      }
    }
    expect(DIGEST_LENGTH.ECDSA_SHA_384).toBe(48);
    expect(DIGEST_LENGTH.RSASSA_PSS_SHA_512).toBe(64);
  });

  it('refuses a digest for PureEdDSA and EXTERNAL_MU outside ML-DSA', () => {
    expect(refusal(checkSigningMessage('ED25519_SHA_512', 'DIGEST', 64)).code).toBe('Validation');
    expect(refusal(checkSigningMessage('ECDSA_SHA_256', 'EXTERNAL_MU', 64)).code).toBe('Validation');
  });

  it.each([
    ['RSA_2048', 'RSAES_OAEP_SHA_1', 214],
    ['RSA_2048', 'RSAES_OAEP_SHA_256', 190],
    ['RSA_3072', 'RSAES_OAEP_SHA_1', 342],
    ['RSA_3072', 'RSAES_OAEP_SHA_256', 318],
    ['RSA_4096', 'RSAES_OAEP_SHA_1', 470],
    ['RSA_4096', 'RSAES_OAEP_SHA_256', 446],
  ] as const)('%s with %s encrypts at most %i bytes (recorded against AWS)', (spec, algorithm, max) => {
    expect(maxOaepPlaintext(spec, algorithm)).toBe(max);
    expect(checkOaepPlaintext(spec, algorithm, max)).toBeUndefined();
    const error = refusal(checkOaepPlaintext(spec, algorithm, max + 1));
    expect(error.code).toBe('Validation');
    expect(error.message).toBe(
      `Algorithm ${algorithm} and key spec ${spec} cannot encrypt data larger than ${max} bytes.`,
    );
  });

  it('serves every KeyPairSpec AWS lists but SM2', () => {
    expect(checkDataKeyPairSpec('ECC_NIST_EDWARDS25519')).toBe('ECC_NIST_EDWARDS25519');
    expect(checkDataKeyPairSpec('RSA_4096')).toBe('RSA_4096');
    expect(refusal(checkDataKeyPairSpec('SM2')).code).toBe('Unsupported');
    expect(refusal(checkDataKeyPairSpec('HMAC_256')).code).toBe('Validation');
  });
});
