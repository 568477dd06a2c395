import { constants, privateEncrypt, publicDecrypt, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { signEcdsaDigest, signPssDigest, verifyEcdsaDigest, verifyPssDigest } from './digest-signing.js';
import { signEd25519ph, verifyEd25519ph } from './ed25519ph.js';

/*
 * RAW messages are signed by node:crypto. A precomputed digest (DIGEST) is signed by node:crypto for
 * PKCS#1 v1.5 (its padding is a plain prefix, so privateEncrypt over the DigestInfo is the signature), and
 * for ECDSA and RSASSA-PSS by digest-signing.ts; Ed25519ph, RAW and DIGEST, by ed25519ph.ts: Node 20
 * cannot do those (the evidence and the lead's decision are in those files).
 */

export type SignatureAlgorithm =
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

export interface SigningInput {
  algorithm: SignatureAlgorithm;
  /** RAW: the message, hashed while signing. DIGEST: the message's digest, already checked for length. */
  messageType: 'RAW' | 'DIGEST';
  message: Buffer;
}

type Hash = 'sha256' | 'sha384' | 'sha512';
const hashOf = (algorithm: SignatureAlgorithm): Hash => `sha${algorithm.slice(-3)}` as Hash;

// RFC 8017 §9.2, note 1: the DER DigestInfo that precedes the digest in EMSA-PKCS1-v1_5.
const DIGEST_INFO: Record<Hash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

function options(algorithm: SignatureAlgorithm, key: KeyObject) {
  if (algorithm.startsWith('RSASSA_PSS'))
    // AWS uses a salt as long as the digest (RFC 8017's recommendation); MGF1 with the same hash.
    return {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: hashOf(algorithm) === 'sha256' ? 32 : hashOf(algorithm) === 'sha384' ? 48 : 64,
    };
  if (algorithm.startsWith('RSASSA_PKCS1')) return { key, padding: constants.RSA_PKCS1_PADDING };
  // AWS returns ECDSA signatures DER-encoded (ASN.1 SEQUENCE of r and s).
  return { key, dsaEncoding: 'der' as const };
}

/** PureEdDSA signs the whole message: no digest stands in for it (the ledger refuses it before this). */
function assertSupported(input: SigningInput): void {
  if (input.algorithm === 'ED25519_SHA_512' && input.messageType === 'DIGEST')
    throw new RangeError('ED25519_SHA_512 signs the message itself, not a digest of it.');
}

export function signMessage(privateKey: KeyObject, input: SigningInput): Buffer {
  assertSupported(input);
  const { algorithm, message } = input;
  if (algorithm === 'ED25519_PH_SHA_512') return signEd25519ph(privateKey, message);
  if (algorithm === 'ED25519_SHA_512') return sign(null, message, privateKey);
  if (input.messageType === 'RAW') return sign(hashOf(algorithm), message, options(algorithm, privateKey));
  if (algorithm.startsWith('ECDSA')) return signEcdsaDigest(privateKey, message);
  if (algorithm.startsWith('RSASSA_PSS')) return signPssDigest(privateKey, hashOf(algorithm), message);
  return privateEncrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
    Buffer.concat([DIGEST_INFO[hashOf(algorithm)], message]),
  );
}

/** False for any signature that does not verify, malformed ones included: the caller says nothing more. */
export function verifySignature(publicKey: KeyObject, input: SigningInput, signature: Buffer): boolean {
  assertSupported(input);
  const { algorithm, message } = input;
  try {
    if (algorithm === 'ED25519_PH_SHA_512') return verifyEd25519ph(publicKey, message, signature);
    if (algorithm === 'ED25519_SHA_512') return verify(null, message, publicKey, signature);
    if (input.messageType === 'RAW')
      return verify(hashOf(algorithm), message, options(algorithm, publicKey), signature);
    if (algorithm.startsWith('ECDSA')) return verifyEcdsaDigest(publicKey, message, signature);
    if (algorithm.startsWith('RSASSA_PSS')) return verifyPssDigest(publicKey, hashOf(algorithm), message, signature);
    const expected = Buffer.concat([DIGEST_INFO[hashOf(algorithm)], message]);
    const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    return recovered.length === expected.length && timingSafeEqual(recovered, expected);
  } catch {
    return false;
  }
}
