import { type KeyObject } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';

/*
 * Ed25519ph (RFC 8032 §5.1, HashEdDSA with SHA-512), which the OpenSSL 3.0 inside Node 20 lacks (3.2 added
 * it). The lead's decision (issue 14, 2026-11-30): @noble/curves 2.4.0 (independently audited) signs and
 * verifies it, RAW and DIGEST alike. The library takes the SHA-512 prehash of the bytes it is given: for
 * DIGEST that hashes the caller's digest again, as AWS documents for ED25519_PH_SHA_512 ("the input is
 * hashed twice: once by you and once by KMS").
 */

export function signEd25519ph(privateKey: KeyObject, message: Buffer): Buffer {
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  try {
    return Buffer.from(ed25519ph.sign(message, seed));
  } finally {
    // The JWK's base64 text cannot be wiped (a JavaScript string); the seed's bytes can.
    seed.fill(0);
  }
}

/**
 * RFC 8032 / FIPS 186-5 verification (zip215 off): small-order public keys and non-canonical encodings
 * are refused, as OpenSSL refuses them for Ed25519.
 */
export function verifyEd25519ph(publicKey: KeyObject, message: Buffer, signature: Buffer): boolean {
  const point = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return ed25519ph.verify(signature, message, point, { zip215: false });
}
