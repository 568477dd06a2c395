import { execFileSync } from 'node:child_process';
import { constants, createHash, sign, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEcdsaDigest, verifyEcdsaDigest } from './digest-signing.js';
import { generateKeyPairFor, privateKeyFromDer, publicKeyFromDer, type KeyPairSpec } from './key-pairs.js';
import { signMessage, verifySignature, type SignatureAlgorithm } from './signing.js';

interface Pair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privateKeyDer: Buffer;
  publicKeyDer: Buffer;
}
const pairs = new Map<KeyPairSpec, Pair>();
const message = Buffer.from('a release artifact whose digest is signed, not the artifact');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-digest-signing-'));
  const specs = ['RSA_2048', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1'] as const;
  for (const spec of [...specs, 'ECC_NIST_EDWARDS25519'] as const) {
    const pair = await generateKeyPairFor(spec);
    pairs.set(spec, {
      privateKey: privateKeyFromDer(pair.privateKeyDer),
      publicKey: publicKeyFromDer(pair.publicKeyDer),
      privateKeyDer: pair.privateKeyDer,
      publicKeyDer: pair.publicKeyDer,
    });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pair = (spec: KeyPairSpec) => pairs.get(spec)!;
const hashOf = (algorithm: string) => `sha${algorithm.slice(-3)}`;
const digestOf = (algorithm: string, data = message) => createHash(hashOf(algorithm)).update(data).digest();
const saltOf = (algorithm: string) => Number(algorithm.slice(-3)) / 8;
const pss = (algorithm: string) => algorithm.startsWith('RSASSA_PSS');

const CASES: [KeyPairSpec, SignatureAlgorithm][] = [
  ['ECC_NIST_P256', 'ECDSA_SHA_256'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
  ['RSA_2048', 'RSASSA_PSS_SHA_256'],
  ['RSA_2048', 'RSASSA_PSS_SHA_384'],
  ['RSA_2048', 'RSASSA_PSS_SHA_512'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384'],
];

/** node:crypto's own options for a verifier that hashes the message itself. */
const nodeOptions = (key: KeyObject, algorithm: string) =>
  pss(algorithm) ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltOf(algorithm) } : key;

/** openssl's options for a signature over a raw digest: RSA needs the hash named (PSS also MGF1's and the salt). */
function pkeyopts(algorithm: string): string[] {
  const hash = hashOf(algorithm);
  if (algorithm.startsWith('ECDSA')) return [];
  const options = pss(algorithm)
    ? [`digest:${hash}`, 'rsa_padding_mode:pss', `rsa_pss_saltlen:${saltOf(algorithm)}`, `rsa_mgf1_md:${hash}`]
    : [`digest:${hash}`];
  return options.flatMap((option) => ['-pkeyopt', option]);
}

function opensslVerifies(spec: KeyPairSpec, algorithm: string, digest: Buffer, signature: Buffer): boolean {
  writeFileSync(join(dir, 'pub.der'), pair(spec).publicKeyDer);
  writeFileSync(join(dir, 'digest'), digest);
  writeFileSync(join(dir, 'sig'), signature);
  const args = ['pkeyutl', '-verify', '-pubin', '-keyform', 'DER', '-inkey', join(dir, 'pub.der')];
  try {
    const out = execFileSync(
      'openssl',
      [...args, ...pkeyopts(algorithm), '-in', join(dir, 'digest'), '-sigfile', join(dir, 'sig')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return out.includes('Signature Verified Successfully');
  } catch {
    return false;
  }
}

function opensslSigns(spec: KeyPairSpec, algorithm: string, digest: Buffer): Buffer {
  writeFileSync(join(dir, 'priv.der'), pair(spec).privateKeyDer);
  writeFileSync(join(dir, 'digest'), digest);
  const args = ['pkeyutl', '-sign', '-keyform', 'DER', '-inkey', join(dir, 'priv.der'), ...pkeyopts(algorithm)];
  execFileSync('openssl', [...args, '-in', join(dir, 'digest'), '-out', join(dir, 'sig')]);
  return readFileSync(join(dir, 'sig'));
}

describe('signing a precomputed digest (DIGEST) with ECDSA, RSASSA-PSS and PKCS#1 v1.5', () => {
  it.each(CASES)('%s %s: verifies with node:crypto over the message and openssl over the digest', (spec, algorithm) => {
    const digest = digestOf(algorithm);
    const input = { algorithm, messageType: 'DIGEST' as const, message: digest };
    const signature = signMessage(pair(spec).privateKey, input);
    expect(verify(hashOf(algorithm), message, nodeOptions(pair(spec).publicKey, algorithm), signature)).toBe(true);
    expect(opensslVerifies(spec, algorithm, digest, signature)).toBe(true);
    expect(verifySignature(pair(spec).publicKey, input, signature)).toBe(true);
    // The same signature read as RAW: the message it is the digest of.
    expect(verifySignature(pair(spec).publicKey, { algorithm, messageType: 'RAW', message }, signature)).toBe(true);

    const tampered = Buffer.from(digest);
    tampered[5]! ^= 1;
    expect(verifySignature(pair(spec).publicKey, { ...input, message: tampered }, signature)).toBe(false);
    expect(opensslVerifies(spec, algorithm, tampered, signature)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped[flipped.length - 3]! ^= 1;
    expect(verifySignature(pair(spec).publicKey, input, flipped)).toBe(false);
  });

  it.each(CASES)('%s %s: signatures made by openssl and by node:crypto verify as DIGEST', (spec, algorithm) => {
    const digest = digestOf(algorithm);
    const input = { algorithm, messageType: 'DIGEST' as const, message: digest };
    expect(verifySignature(pair(spec).publicKey, input, opensslSigns(spec, algorithm, digest))).toBe(true);
    const nodeSigned = sign(hashOf(algorithm), message, nodeOptions(pair(spec).privateKey, algorithm));
    expect(verifySignature(pair(spec).publicKey, input, nodeSigned)).toBe(true);
    const other = { ...input, message: digestOf(algorithm, Buffer.from('another artifact')) };
    expect(verifySignature(pair(spec).publicKey, other, nodeSigned)).toBe(false);
  });

  it('accepts the high-S ECDSA signatures OpenSSL makes about half the time', () => {
    const digest = digestOf('ECDSA_SHA_256');
    const input = { algorithm: 'ECDSA_SHA_256' as const, messageType: 'DIGEST' as const, message: digest };
    const signatures = Array.from({ length: 24 }, () => sign('sha256', message, pair('ECC_NIST_P256').privateKey));
    // One in 2^24 runs draws no high-S signature at all; then this test says so rather than pass vacuously.
    expect(signatures.some((s) => p256.Signature.fromBytes(s, 'der').hasHighS())).toBe(true);
    for (const signature of signatures)
      expect(verifySignature(pair('ECC_NIST_P256').publicKey, input, signature)).toBe(true);
  });

  it('hedges ECDSA nonces with fresh randomness: one digest signed twice gives two signatures, both valid', () => {
    const digest = digestOf('ECDSA_SHA_384');
    const first = signEcdsaDigest(pair('ECC_NIST_P384').privateKey, digest);
    const second = signEcdsaDigest(pair('ECC_NIST_P384').privateKey, digest);
    expect(first.equals(second)).toBe(false);
    expect(verifyEcdsaDigest(pair('ECC_NIST_P384').publicKey, digest, first)).toBe(true);
    expect(verifyEcdsaDigest(pair('ECC_NIST_P384').publicKey, digest, second)).toBe(true);
  });

  it('returns ECDSA signatures DER-encoded, as AWS does', () => {
    const digest = digestOf('ECDSA_SHA_512');
    const signature = signEcdsaDigest(pair('ECC_NIST_P521').privateKey, digest);
    expect(signature[0]).toBe(0x30);
    expect(verify('sha512', message, { key: pair('ECC_NIST_P521').publicKey, dsaEncoding: 'der' }, signature)).toBe(
      true,
    );
  });

  it('uses a random PSS salt as long as the digest, like the RAW path', () => {
    const input = { algorithm: 'RSASSA_PSS_SHA_384' as const, messageType: 'DIGEST' as const };
    const digest = digestOf('RSASSA_PSS_SHA_384');
    const first = signMessage(pair('RSA_2048').privateKey, { ...input, message: digest });
    const second = signMessage(pair('RSA_2048').privateKey, { ...input, message: digest });
    expect(first.equals(second)).toBe(false);
    const withSalt = (saltLength: number) =>
      verify(
        'sha384',
        message,
        { key: pair('RSA_2048').publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
        first,
      );
    expect(withSalt(48)).toBe(true);
    expect(withSalt(32)).toBe(false);
    expect(first).toHaveLength(256);
  });

  it('refuses, without throwing, PSS signatures of the wrong length or out of range, and garbage', () => {
    const input = { algorithm: 'RSASSA_PSS_SHA_256' as const, messageType: 'DIGEST' as const };
    const digest = digestOf('RSASSA_PSS_SHA_256');
    const signature = signMessage(pair('RSA_2048').privateKey, { ...input, message: digest });
    const { publicKey } = pair('RSA_2048');
    expect(verifySignature(publicKey, { ...input, message: digest }, signature.subarray(1))).toBe(false);
    expect(verifySignature(publicKey, { ...input, message: digest }, Buffer.concat([Buffer.alloc(1), signature]))).toBe(
      false,
    );
    // Above the modulus: OpenSSL refuses the block, and the refusal is a false, not an error.
    expect(verifySignature(publicKey, { ...input, message: digest }, Buffer.alloc(256, 0xff))).toBe(false);
    expect(verifySignature(publicKey, { ...input, message: digest }, Buffer.alloc(256, 1))).toBe(false);
  });

  it('refuses ECDSA over a digest with a key that is not on one of the four curves', () => {
    const digest = digestOf('ECDSA_SHA_256');
    const input = { algorithm: 'ECDSA_SHA_256' as const, messageType: 'DIGEST' as const, message: digest };
    expect(() => signMessage(pair('ECC_NIST_EDWARDS25519').privateKey, input)).toThrow(
      'ECDSA over a digest needs a P-256, P-384, P-521 or secp256k1 key.',
    );
    const signature = signMessage(pair('ECC_NIST_P256').privateKey, input);
    expect(verifySignature(pair('ECC_NIST_EDWARDS25519').publicKey, input, signature)).toBe(false);
    expect(verifySignature(pair('ECC_SECG_P256K1').publicKey, input, signature)).toBe(false);
  });
});
