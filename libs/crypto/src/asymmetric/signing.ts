import { constants, privateEncrypt, publicDecrypt, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

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

/**
 * Why Node 20's crypto cannot do this signing, or undefined when it can. Node signs only
 * whole messages (it hashes them itself); a precomputed digest can be signed only where the
 * padding is a plain prefix, PKCS#1 v1.5 (privateEncrypt over the DigestInfo). Ed25519ph
 * needs OpenSSL 3.2; Node 20 bundles 3.0.
 * ECDSA over a digest was checked on Node 20.20 / OpenSSL 3.0 (2026-11-30): `sign(null, digest, ecKey)`
 * hashes with SHA-256 like `sign('sha256', …)`, so `openssl pkeyutl -verify` over the digest refuses the
 * result; `privateEncrypt` refuses EC keys; WebCrypto's ECDSA requires a hash. Signing a digest as it is
 * needs `crypto.signDigest`, proposed upstream (nodejs/node#62345, nodejs/node#60263), not in Node 20.
 */
export function signingUnsupportedReason(
  algorithm: SignatureAlgorithm,
  messageType: 'RAW' | 'DIGEST',
): string | undefined {
  if (algorithm === 'ED25519_PH_SHA_512')
    return 'Signing algorithm ED25519_PH_SHA_512 (Ed25519ph) is not supported: the OpenSSL 3.0 inside Node 20 has no Ed25519ph. Use ED25519_SHA_512.';
  if (messageType === 'DIGEST' && !algorithm.startsWith('RSASSA_PKCS1_V1_5'))
    return `MessageType DIGEST with ${algorithm} is not supported: Node 20's crypto cannot sign or verify a precomputed digest for this algorithm. Send the message itself with MessageType RAW.`;
  return undefined;
}

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

function assertSupported(input: SigningInput): void {
  const reason = signingUnsupportedReason(input.algorithm, input.messageType);
  if (reason !== undefined) throw new RangeError(reason);
}

export function signMessage(privateKey: KeyObject, input: SigningInput): Buffer {
  assertSupported(input);
  const { algorithm, message } = input;
  if (algorithm === 'ED25519_SHA_512') return sign(null, message, privateKey);
  if (input.messageType === 'DIGEST')
    return privateEncrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([DIGEST_INFO[hashOf(algorithm)], message]),
    );
  return sign(hashOf(algorithm), message, options(algorithm, privateKey));
}

/** False for any signature that does not verify, malformed ones included: the caller says nothing more. */
export function verifySignature(publicKey: KeyObject, input: SigningInput, signature: Buffer): boolean {
  assertSupported(input);
  const { algorithm, message } = input;
  try {
    if (algorithm === 'ED25519_SHA_512') return verify(null, message, publicKey, signature);
    if (input.messageType === 'DIGEST') {
      const expected = Buffer.concat([DIGEST_INFO[hashOf(algorithm)], message]);
      const recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
      return recovered.length === expected.length && timingSafeEqual(recovered, expected);
    }
    return verify(hashOf(algorithm), message, options(algorithm, publicKey), signature);
  } catch {
    return false;
  }
}
