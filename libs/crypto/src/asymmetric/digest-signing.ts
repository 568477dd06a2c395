import { constants, privateEncrypt, publicDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

/*
 * Signing a precomputed digest (MessageType DIGEST) with ECDSA and RSASSA-PSS, which Node 20's crypto
 * cannot do. Checked on Node 20.20 / OpenSSL 3.0 (2026-11-30): `sign(null, digest, ecKey)` hashes with
 * SHA-256 like `sign('sha256', …)`, so `openssl pkeyutl -verify` over the digest refuses the result;
 * `privateEncrypt` refuses EC keys; WebCrypto's ECDSA and PSS require a hash; `crypto.signDigest` is an
 * upstream proposal (nodejs/node#62345), not in Node 20.
 *
 * The lead's decision (issue 14, 2026-11-30), the one written exception to "cryptography only from
 * node:crypto": RAW messages stay on node:crypto (signing.ts); for DIGEST only,
 * - ECDSA is @noble/curves 2.4.0 (independently audited), over the digest as given (no prehash);
 * - RSASSA-PSS keeps the private-key operation in OpenSSL: node-forge 1.4.3 builds the EMSA-PSS encoding
 *   (RFC 8017 §9.1.1) and `privateEncrypt` without padding applies RSASP1 to it. Nothing here is a
 *   primitive or an encoding of our own.
 */

type Hash = 'sha256' | 'sha384' | 'sha512';

// AWS's ECDSA signatures are DER (ASN.1 SEQUENCE of r and s), and so are these.
const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 } as const;

function curveOf(key: KeyObject) {
  const jwk = key.export({ format: 'jwk' });
  const curve = CURVES[jwk.crv as keyof typeof CURVES];
  if (curve === undefined) throw new RangeError(`ECDSA over a digest needs a P-256, P-384, P-521 or secp256k1 key.`);
  return { curve, jwk };
}

export function signEcdsaDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const { curve, jwk } = curveOf(privateKey);
  const scalar = Buffer.from(jwk.d!, 'base64url');
  try {
    // RFC 6979 §3.6 hedged nonces: OpenSSL's randomness mixed into the deterministic k, so a fault or a
    // weak RNG alone does not leak the key.
    return Buffer.from(curve.sign(digest, scalar, { prehash: false, format: 'der', extraEntropy: randomBytes(32) }));
  } finally {
    // The JWK's base64 text and the library's bigint cannot be wiped (JavaScript strings and bigints);
    // the bytes can.
    scalar.fill(0);
  }
}

/** OpenSSL (node:crypto's RAW path, openssl pkeyutl, most signers) makes high-S signatures: ECDSA accepts them. */
export function verifyEcdsaDigest(publicKey: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const { curve, jwk } = curveOf(publicKey);
  const point = Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
  return curve.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
}

/** The part of node-forge's API used here (it ships no types). Binary strings, as forge takes them. */
interface ForgeDigest {
  digest(): { getBytes(): string };
}
interface Forge {
  md: Record<Hash, { create(): ForgeDigest & { digestLength: number } }>;
  mgf: { mgf1: { create(md: ForgeDigest): unknown } };
  pss: {
    create(options: {
      md: ForgeDigest;
      mgf: unknown;
      saltLength: number;
      prng: { getBytesSync(count: number): string };
    }): {
      encode(md: ForgeDigest, modBits: number): string;
      verify(mHash: string, em: string, modBits: number): boolean;
    };
  };
  util: { createBuffer(bytes: string): { getBytes(): string } };
}
// node-forge is CommonJS; it is loaded once, on first use of the module.
const forge = createRequire(import.meta.url)('node-forge') as Forge;

/** AWS's PSS: MGF1 with the signing hash, a salt as long as the digest, drawn from OpenSSL's randomness. */
function emsaPss(hash: Hash) {
  const md = forge.md[hash].create();
  return forge.pss.create({
    md,
    mgf: forge.mgf.mgf1.create(forge.md[hash].create()),
    saltLength: md.digestLength,
    prng: { getBytesSync: (count) => randomBytes(count).toString('binary') },
  });
}

const modulusBits = (rsaKey: KeyObject): number => rsaKey.asymmetricKeyDetails!.modulusLength!;

export function signPssDigest(privateKey: KeyObject, hash: Hash, digest: Buffer): Buffer {
  const modBits = modulusBits(privateKey);
  // forge's encode reads mHash from a digest object; this one answers with the caller's digest.
  const precomputed = { digest: () => forge.util.createBuffer(digest.toString('binary')) };
  const encoded = Buffer.from(emsaPss(hash).encode(precomputed, modBits), 'binary');
  // RSASP1 on a modulus-length block: EM is one byte shorter when the modulus has 8n+1 bits.
  const block = Buffer.alloc(Math.ceil(modBits / 8));
  encoded.copy(block, block.length - encoded.length);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);
}

/** Throws on a malformed signature (signing.ts answers false for any throw). */
export function verifyPssDigest(publicKey: KeyObject, hash: Hash, digest: Buffer, signature: Buffer): boolean {
  const modBits = modulusBits(publicKey);
  // RFC 8017 §8.1.2 step 1: a signature is exactly k octets.
  if (signature.length !== Math.ceil(modBits / 8)) return false;
  const encoded = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
  return emsaPss(hash).verify(digest.toString('binary'), encoded.toString('binary'), modBits);
}
