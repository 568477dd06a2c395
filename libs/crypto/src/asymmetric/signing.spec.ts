import { execFileSync } from 'node:child_process';
import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairFor, privateKeyFromDer, publicKeyFromDer, type KeyPairSpec } from './key-pairs.js';
import { signMessage, verifySignature, type SignatureAlgorithm } from './signing.js';

interface Pair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyDer: Buffer;
}
const pairs = new Map<KeyPairSpec, Pair>();
const message = Buffer.from('a message AWS KMS would sign, with bytes \u00e9\u0000\u00ff');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-signing-'));
  for (const spec of ['RSA_2048', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1'] as const) {
    const pair = await generateKeyPairFor(spec);
    pairs.set(spec, {
      privateKey: privateKeyFromDer(pair.privateKeyDer),
      publicKey: publicKeyFromDer(pair.publicKeyDer),
      publicKeyDer: pair.publicKeyDer,
    });
  }
  const ed = await generateKeyPairFor('ECC_NIST_EDWARDS25519');
  pairs.set('ECC_NIST_EDWARDS25519', {
    privateKey: privateKeyFromDer(ed.privateKeyDer),
    publicKey: publicKeyFromDer(ed.publicKeyDer),
    publicKeyDer: ed.publicKeyDer,
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pair = (spec: KeyPairSpec) => pairs.get(spec)!;
const hashOf = (algorithm: string) => `sha${algorithm.slice(-3)}`;

const RAW_CASES: [KeyPairSpec, SignatureAlgorithm][] = [
  ['RSA_2048', 'RSASSA_PSS_SHA_256'],
  ['RSA_2048', 'RSASSA_PSS_SHA_384'],
  ['RSA_2048', 'RSASSA_PSS_SHA_512'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512'],
  ['ECC_NIST_P256', 'ECDSA_SHA_256'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'],
];

/** What a verifier that never saw Keyledger's code does with the signature. */
function nodeVerifies(spec: KeyPairSpec, algorithm: SignatureAlgorithm, signature: Buffer, data = message): boolean {
  const { publicKey } = pair(spec);
  if (algorithm === 'ED25519_SHA_512') return verify(null, data, publicKey, signature);
  if (algorithm.startsWith('RSASSA_PSS')) {
    const saltLength = Number(algorithm.slice(-3)) / 8;
    return verify(
      hashOf(algorithm),
      data,
      { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
      signature,
    );
  }
  return verify(hashOf(algorithm), data, publicKey, signature);
}

describe('signing with every algorithm (RAW)', () => {
  it.each(RAW_CASES)('%s %s: signs, verifies, and node:crypto agrees', (spec, algorithm) => {
    const input = { algorithm, messageType: 'RAW' as const, message };
    const signature = signMessage(pair(spec).privateKey, input);
    expect(verifySignature(pair(spec).publicKey, input, signature)).toBe(true);
    expect(nodeVerifies(spec, algorithm, signature)).toBe(true);
    const tampered = { ...input, message: Buffer.concat([message, Buffer.from([0])]) };
    expect(verifySignature(pair(spec).publicKey, tampered, signature)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped[flipped.length - 1]! ^= 1;
    expect(verifySignature(pair(spec).publicKey, input, flipped)).toBe(false);
  });

  it('returns ECDSA signatures DER-encoded, as AWS does', () => {
    const signature = signMessage(pair('ECC_NIST_P256').privateKey, {
      algorithm: 'ECDSA_SHA_256',
      messageType: 'RAW',
      message,
    });
    expect(signature[0]).toBe(0x30);
    expect(signature[1]).toBe(signature.length - 2);
  });

  it('uses a PSS salt as long as the digest: a verifier expecting another salt length refuses', () => {
    const signature = signMessage(pair('RSA_2048').privateKey, {
      algorithm: 'RSASSA_PSS_SHA_384',
      messageType: 'RAW',
      message,
    });
    const withSalt = (saltLength: number) =>
      verify(
        'sha384',
        message,
        { key: pair('RSA_2048').publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
        signature,
      );
    expect(withSalt(48)).toBe(true);
    expect(withSalt(32)).toBe(false);
  });

  it('refuses a signature made by another key and garbage alike, without throwing', () => {
    const input = { algorithm: 'ECDSA_SHA_256' as const, messageType: 'RAW' as const, message };
    const other = signMessage(pair('ECC_SECG_P256K1').privateKey, input);
    expect(verifySignature(pair('ECC_NIST_P256').publicKey, input, other)).toBe(false);
    expect(verifySignature(pair('ECC_NIST_P256').publicKey, input, Buffer.from('not a signature'))).toBe(false);
  });
});

describe('signing a precomputed digest (DIGEST)', () => {
  it.each(['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'] as const)(
    '%s: the signature of the digest is the signature of the message',
    (algorithm) => {
      const digest = createHash(hashOf(algorithm)).update(message).digest();
      const signature = signMessage(pair('RSA_2048').privateKey, { algorithm, messageType: 'DIGEST', message: digest });
      expect(nodeVerifies('RSA_2048', algorithm, signature)).toBe(true);
      const raw = signMessage(pair('RSA_2048').privateKey, { algorithm, messageType: 'RAW', message });
      // PKCS#1 v1.5 is deterministic: both paths give the same bytes.
      expect(signature.equals(raw)).toBe(true);
      expect(
        verifySignature(pair('RSA_2048').publicKey, { algorithm, messageType: 'DIGEST', message: digest }, raw),
      ).toBe(true);
      const wrong = Buffer.from(digest);
      wrong[0]! ^= 1;
      expect(
        verifySignature(pair('RSA_2048').publicKey, { algorithm, messageType: 'DIGEST', message: wrong }, raw),
      ).toBe(false);
    },
  );

  it('refuses a digest for PureEdDSA, which signs the whole message', () => {
    const digest = createHash('sha512').update(message).digest();
    const input = { algorithm: 'ED25519_SHA_512' as const, messageType: 'DIGEST' as const, message: digest };
    const expected = 'ED25519_SHA_512 signs the message itself, not a digest of it.';
    expect(() => signMessage(pair('ECC_NIST_EDWARDS25519').privateKey, input)).toThrow(expected);
    const signature = signMessage(pair('ECC_NIST_EDWARDS25519').privateKey, { ...input, messageType: 'RAW' });
    expect(() => verifySignature(pair('ECC_NIST_EDWARDS25519').publicKey, input, signature)).toThrow(expected);
  });
});

describe('interoperability with openssl', () => {
  const opensslVerifies = (spec: KeyPairSpec, algorithm: SignatureAlgorithm, signature: Buffer): boolean => {
    const pem = createPublicKey({ key: pair(spec).publicKeyDer, format: 'der', type: 'spki' }).export({
      type: 'spki',
      format: 'pem',
    });
    writeFileSync(join(dir, 'pub.pem'), pem);
    writeFileSync(join(dir, 'sig.bin'), signature);
    writeFileSync(join(dir, 'msg.bin'), message);
    const pss = algorithm.startsWith('RSASSA_PSS')
      ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${Number(algorithm.slice(-3)) / 8}`]
      : [];
    try {
      const out = execFileSync(
        'openssl',
        [
          'dgst',
          `-${hashOf(algorithm)}`,
          '-verify',
          join(dir, 'pub.pem'),
          ...pss,
          '-signature',
          join(dir, 'sig.bin'),
          join(dir, 'msg.bin'),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      return out.includes('Verified OK');
    } catch {
      return false;
    }
  };

  it.each(RAW_CASES.filter(([, a]) => a !== 'ED25519_SHA_512'))(
    '%s %s verifies with openssl dgst -verify',
    (spec, algorithm) => {
      const signature = signMessage(pair(spec).privateKey, { algorithm, messageType: 'RAW', message });
      expect(opensslVerifies(spec, algorithm, signature)).toBe(true);
      const flipped = Buffer.from(signature);
      flipped[8]! ^= 1;
      expect(opensslVerifies(spec, algorithm, flipped)).toBe(false);
    },
  );
});
