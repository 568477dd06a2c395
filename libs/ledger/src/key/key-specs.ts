import { DomainError } from '../domain-error.js';

/**
 * Every KeySpec AWS KMS names, which KeyUsages each allows and the algorithms each
 * (spec, usage) pair offers, in the order AWS lists them in DescribeKey / GetPublicKey.
 * Sources: the AWS KMS Developer Guide's key spec reference and CreateKey's KeyUsage text
 * ("NIST-standard elliptic curve key pairs: SIGN_VERIFY or KEY_AGREEMENT; ECC_SECG_P256K1:
 * SIGN_VERIFY"), and the responses recorded against AWS (../shared/reference).
 */
export type KeySpec =
  | 'SYMMETRIC_DEFAULT'
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'ECC_NIST_EDWARDS25519'
  | 'HMAC_224'
  | 'HMAC_256'
  | 'HMAC_384'
  | 'HMAC_512'
  | 'SM2'
  | 'ML_DSA_44'
  | 'ML_DSA_65'
  | 'ML_DSA_87';
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT';
export type EncryptionAlgorithm = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256';
export type SigningAlgorithm =
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'ECDSA_SHA_512'
  | 'ED25519_SHA_512'
  | 'ED25519_PH_SHA_512';
export type MacAlgorithm = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';
export type KeyAgreementAlgorithm = 'ECDH';

/** The algorithm lists of one key, as DescribeKey names them; absent lists are left out of the response. */
export interface KeyAlgorithms {
  EncryptionAlgorithms?: EncryptionAlgorithm[];
  SigningAlgorithms?: SigningAlgorithm[];
  MacAlgorithms?: MacAlgorithm[];
  KeyAgreementAlgorithms?: KeyAgreementAlgorithm[];
}

export type RsaKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';
export type EccKeySpec = 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1';
export type HmacKeySpec = 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512';
/** The specs Keyledger makes keys of (SM2 and ML-DSA are refused at CreateKey, see `refusedKeySpec`). */
export type ServedKeySpec = 'SYMMETRIC_DEFAULT' | RsaKeySpec | EccKeySpec | 'ECC_NIST_EDWARDS25519' | HmacKeySpec;

const RSA_ENCRYPTION: EncryptionAlgorithm[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
const RSA_SIGNING: SigningAlgorithm[] = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];
const rsa = {
  ENCRYPT_DECRYPT: { EncryptionAlgorithms: RSA_ENCRYPTION },
  SIGN_VERIFY: { SigningAlgorithms: RSA_SIGNING },
};
const nistCurve = (signing: SigningAlgorithm) => ({
  SIGN_VERIFY: { SigningAlgorithms: [signing] },
  KEY_AGREEMENT: { KeyAgreementAlgorithms: ['ECDH'] as KeyAgreementAlgorithm[] },
});
const hmac = (mac: MacAlgorithm) => ({ GENERATE_VERIFY_MAC: { MacAlgorithms: [mac] } });

const SPECS: Record<ServedKeySpec, Partial<Record<KeyUsage, KeyAlgorithms>>> = {
  SYMMETRIC_DEFAULT: { ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] } },
  RSA_2048: rsa,
  RSA_3072: rsa,
  RSA_4096: rsa,
  ECC_NIST_P256: nistCurve('ECDSA_SHA_256'),
  ECC_NIST_P384: nistCurve('ECDSA_SHA_384'),
  ECC_NIST_P521: nistCurve('ECDSA_SHA_512'),
  ECC_SECG_P256K1: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_256'] } },
  ECC_NIST_EDWARDS25519: { SIGN_VERIFY: { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] } },
  HMAC_224: hmac('HMAC_SHA_224'),
  HMAC_256: hmac('HMAC_SHA_256'),
  HMAC_384: hmac('HMAC_SHA_384'),
  HMAC_512: hmac('HMAC_SHA_512'),
};

export const KEY_SPECS: readonly KeySpec[] = [
  ...(Object.keys(SPECS) as ServedKeySpec[]),
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
];
export const KEY_USAGES: readonly KeyUsage[] = [
  'ENCRYPT_DECRYPT',
  'SIGN_VERIFY',
  'GENERATE_VERIFY_MAC',
  'KEY_AGREEMENT',
];

export const isServedKeySpec = (spec: string): spec is ServedKeySpec => Object.hasOwn(SPECS, spec);
export const isRsaKeySpec = (spec: string): spec is RsaKeySpec => spec.startsWith('RSA_') && isServedKeySpec(spec);
export const isEccKeySpec = (spec: string): spec is EccKeySpec =>
  spec.startsWith('ECC_') && spec !== 'ECC_NIST_EDWARDS25519';
export const isHmacKeySpec = (spec: string): spec is HmacKeySpec => spec.startsWith('HMAC_') && isServedKeySpec(spec);
/** A key pair: its public key is recorded in the clear. */
export const isAsymmetricKeySpec = (spec: string): boolean =>
  isRsaKeySpec(spec) || isEccKeySpec(spec) || spec === 'ECC_NIST_EDWARDS25519';

/** The algorithms a key of this spec and usage offers, exactly as AWS lists them. */
export function algorithmsOf(spec: ServedKeySpec, usage: KeyUsage): KeyAlgorithms {
  return SPECS[spec][usage] ?? {};
}

/** Why Keyledger refuses a spec AWS names, or undefined for one it serves. */
export function refusedKeySpec(spec: string): DomainError | undefined {
  if (spec === 'SM2')
    return new DomainError(
      'Unsupported',
      'KeySpec SM2 is offered by AWS KMS only in the China Regions; Keyledger does not serve it.',
    );
  // Issue 14, the lead's decision (2026-11-30): the only ML-DSA on npm states it is not independently
  // audited and claims no constant-time signing; the issue asks for a well-kept, reviewed library (README).
  if (spec.startsWith('ML_DSA_'))
    return new DomainError(
      'Unsupported',
      `KeySpec ${spec} is not supported: Node 20's crypto has no ML-DSA, and no independently audited ML-DSA library with constant-time signing exists for Node yet, so Keyledger does not hold ML-DSA keys.`,
    );
  return undefined;
}

/**
 * CreateKey's spec and usage, checked as AWS checks them. KeySpec wins over the deprecated
 * CustomerMasterKeySpec; both given is refused. Returns the spec and usage the key gets.
 */
export function resolveKeySpecAndUsage(input: {
  keySpec?: string;
  customerMasterKeySpec?: string;
  keyUsage?: string;
}): { keySpec: ServedKeySpec; keyUsage: KeyUsage } | DomainError {
  if (input.keySpec !== undefined && input.customerMasterKeySpec !== undefined)
    return new DomainError(
      'Validation',
      'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated; use KeySpec.',
    );
  const spec = input.keySpec ?? input.customerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const refused = refusedKeySpec(spec);
  if (refused) return refused;
  if (!isServedKeySpec(spec)) return new DomainError('Validation', `KeySpec ${spec} is not valid.`);
  if (input.keyUsage === undefined) {
    if (spec === 'SYMMETRIC_DEFAULT') return { keySpec: spec, keyUsage: 'ENCRYPT_DECRYPT' };
    return new DomainError(
      'Validation',
      'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    );
  }
  const usage = input.keyUsage as KeyUsage;
  if (SPECS[spec][usage] === undefined)
    return new DomainError('Validation', `KeyUsage ${input.keyUsage} is not compatible with KeySpec ${spec}`);
  return { keySpec: spec, keyUsage: usage };
}

/** AWS: "<arn> key usage is SIGN_VERIFY which is not valid for Encrypt." */
export function requireKeyUsage(
  key: { arn: string; keyUsage: string },
  usage: KeyUsage,
  operation: string,
): DomainError | undefined {
  if (key.keyUsage === usage) return undefined;
  return new DomainError(
    'InvalidKeyUsage',
    `${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`,
  );
}

/** AWS: "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224." (the same words for every family). */
export function requireAlgorithm(spec: ServedKeySpec, usage: KeyUsage, algorithm: string): DomainError | undefined {
  const lists = algorithmsOf(spec, usage);
  const offered: string[] = [
    ...(lists.EncryptionAlgorithms ?? []),
    ...(lists.SigningAlgorithms ?? []),
    ...(lists.MacAlgorithms ?? []),
    ...(lists.KeyAgreementAlgorithms ?? []),
  ];
  if (offered.includes(algorithm)) return undefined;
  return new DomainError('InvalidKeyUsage', `Algorithm ${algorithm} is incompatible with key spec ${spec}.`);
}
