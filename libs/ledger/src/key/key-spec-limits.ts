import { DomainError } from '../domain-error.js';
import type { HmacKeySpec, RsaKeySpec, SigningAlgorithm } from './key-specs.js';

/** Bytes of the digest each signing algorithm signs (AWS checks DIGEST messages against it). */
export const DIGEST_LENGTH: Record<SigningAlgorithm, number> = {
  RSASSA_PSS_SHA_256: 32,
  RSASSA_PSS_SHA_384: 48,
  RSASSA_PSS_SHA_512: 64,
  RSASSA_PKCS1_V1_5_SHA_256: 32,
  RSASSA_PKCS1_V1_5_SHA_384: 48,
  RSASSA_PKCS1_V1_5_SHA_512: 64,
  ECDSA_SHA_256: 32,
  ECDSA_SHA_384: 48,
  ECDSA_SHA_512: 64,
  ED25519_SHA_512: 64,
  ED25519_PH_SHA_512: 64,
};

export type MessageType = 'RAW' | 'DIGEST';

/**
 * The message of a Sign or Verify, checked as AWS checks it. RAW messages are bounded by the
 * model (4096 bytes) at the edge. PureEdDSA (ED25519_SHA_512) signs the whole message, so a
 * digest cannot stand in for it; AWS's HashEdDSA (ED25519_PH_SHA_512) takes only a DIGEST
 * (the Sign API reference: it "requires KMS MessageType:DIGEST").
 */
export function checkSigningMessage(
  algorithm: SigningAlgorithm,
  messageType: string | undefined,
  messageLength: number,
): MessageType | DomainError {
  const type = messageType ?? 'RAW';
  if (type === 'RAW' && algorithm === 'ED25519_PH_SHA_512')
    return new DomainError('Validation', `MessageType RAW is not valid for signing algorithm ${algorithm}.`);
  if (type === 'RAW') return 'RAW';
  if (type !== 'DIGEST')
    return new DomainError('Validation', `MessageType ${type} is valid only with ML-DSA signing algorithms.`);
  if (algorithm === 'ED25519_SHA_512')
    return new DomainError('Validation', `MessageType DIGEST is not valid for signing algorithm ${algorithm}.`);
  if (messageLength !== DIGEST_LENGTH[algorithm])
    return new DomainError('Validation', `Digest is invalid length for algorithm ${algorithm}.`);
  return 'DIGEST';
}

const MODULUS_BYTES: Record<RsaKeySpec, number> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };
const OAEP_HASH_BYTES = { RSAES_OAEP_SHA_1: 20, RSAES_OAEP_SHA_256: 32 } as const;

/** RFC 8017 §7.1.1: an OAEP message is at most k - 2·hLen - 2 bytes. */
export function maxOaepPlaintext(spec: RsaKeySpec, algorithm: keyof typeof OAEP_HASH_BYTES): number {
  return MODULUS_BYTES[spec] - 2 * OAEP_HASH_BYTES[algorithm] - 2;
}

/** AWS: "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes." */
export function checkOaepPlaintext(
  spec: RsaKeySpec,
  algorithm: keyof typeof OAEP_HASH_BYTES,
  length: number,
): DomainError | undefined {
  const max = maxOaepPlaintext(spec, algorithm);
  if (length <= max) return undefined;
  return new DomainError(
    'Validation',
    `Algorithm ${algorithm} and key spec ${spec} cannot encrypt data larger than ${max} bytes.`,
  );
}

/** Bytes of HMAC key Keyledger generates per spec: the digest length, as AWS does. */
export const HMAC_KEY_BYTES: Record<HmacKeySpec, number> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

/** The lengths AWS accepts for imported HMAC key material (the digest length up to the block size). */
export const HMAC_IMPORT_BYTES: Record<HmacKeySpec, { min: number; max: number }> = {
  HMAC_224: { min: 28, max: 64 },
  HMAC_256: { min: 32, max: 64 },
  HMAC_384: { min: 48, max: 128 },
  HMAC_512: { min: 64, max: 128 },
};

/** The KeyPairSpecs of GenerateDataKeyPair that Keyledger serves (AWS also lists SM2, China Regions only). */
export type DataKeyPairSpec =
  RsaKeySpec | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1' | 'ECC_NIST_EDWARDS25519';
export const DATA_KEY_PAIR_SPECS: readonly DataKeyPairSpec[] = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
];

export function checkDataKeyPairSpec(spec: string): DataKeyPairSpec | DomainError {
  if (spec === 'SM2')
    return new DomainError(
      'Unsupported',
      'KeyPairSpec SM2 is offered by AWS KMS only in the China Regions; Keyledger does not serve it.',
    );
  if ((DATA_KEY_PAIR_SPECS as readonly string[]).includes(spec)) return spec as DataKeyPairSpec;
  return new DomainError('Validation', `KeyPairSpec ${spec} is not valid.`);
}
