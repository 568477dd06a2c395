import { execFileSync } from 'node:child_process';
import {
  constants,
  createHmac,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMac, verifyMac } from './hmac.js';
import { deriveSharedSecret } from './key-agreement.js';
import {
  generateHmacKey,
  generateKeyPairFor,
  importPrivateKey,
  keyPairSpecOf,
  privateKeyFromDer,
  publicKeyFromDer,
  type GeneratedKeyPair,
  type KeyPairSpec,
} from './key-pairs.js';
import { oaepDecrypt, oaepEncrypt } from './rsa-oaep.js';

let dir: string;
let rsa: GeneratedKeyPair;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-material-'));
  rsa = await generateKeyPairFor('RSA_2048');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('key pairs', () => {
  it.each(['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519'] as const)(
    '%s: PKCS#8 private key, SPKI public key, recognised as its spec',
    async (spec) => {
      const pair = await generateKeyPairFor(spec);
      expect(keyPairSpecOf(privateKeyFromDer(pair.privateKeyDer))).toBe(spec);
      expect(keyPairSpecOf(publicKeyFromDer(pair.publicKeyDer))).toBe(spec);
      expect(createPublicKey(privateKeyFromDer(pair.privateKeyDer)).export({ type: 'spki', format: 'der' })).toEqual(
        pair.publicKeyDer,
      );
    },
  );

  it('RSA_2048: 2048-bit modulus, exponent 65537', () => {
    const key = privateKeyFromDer(rsa.privateKeyDer);
    expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    expect(keyPairSpecOf(key)).toBe('RSA_2048');
  });

  it('imports a PKCS#8 private key only into its own spec, and derives its public key', () => {
    const imported = importPrivateKey(rsa.privateKeyDer, 'RSA_2048');
    expect(imported?.publicKeyDer).toEqual(rsa.publicKeyDer);
    expect(importPrivateKey(rsa.privateKeyDer, 'RSA_3072')).toBeUndefined();
    expect(importPrivateKey(rsa.privateKeyDer, 'ECC_NIST_P256')).toBeUndefined();
    expect(importPrivateKey(randomBytes(64), 'RSA_2048')).toBeUndefined();
    expect(importPrivateKey(rsa.publicKeyDer, 'RSA_2048')).toBeUndefined();
    const p224 = generateKeyPairSync('ec', { namedCurve: 'secp224r1' }).privateKey.export({
      type: 'pkcs8',
      format: 'der',
    });
    for (const spec of ['ECC_NIST_P256', 'ECC_SECG_P256K1'] as KeyPairSpec[])
      expect(importPrivateKey(p224, spec)).toBeUndefined();
    const e3 = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).privateKey.export({
      type: 'pkcs8',
      format: 'der',
    });
    expect(importPrivateKey(e3, 'RSA_2048')).toBeUndefined();
  });

  it('makes HMAC keys of the asked length, never twice the same', () => {
    expect(generateHmacKey(28)).toHaveLength(28);
    expect(generateHmacKey(64).equals(generateHmacKey(64))).toBe(false);
  });
});

describe('RSAES-OAEP', () => {
  it.each([
    ['RSAES_OAEP_SHA_1', 'sha1'],
    ['RSAES_OAEP_SHA_256', 'sha256'],
  ] as const)('%s: what node:crypto encrypts with the public key opens, and the other way round', (algorithm, hash) => {
    const privateKey = privateKeyFromDer(rsa.privateKeyDer);
    const publicKey = publicKeyFromDer(rsa.publicKeyDer);
    const plaintext = randomBytes(100);
    const local = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
      plaintext,
    );
    expect(oaepDecrypt(privateKey, algorithm, local)).toEqual(plaintext);
    const ours = oaepEncrypt(publicKey, algorithm, plaintext);
    expect(ours).toHaveLength(256);
    expect(
      privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ours),
    ).toEqual(plaintext);
  });

  it('does not open under the other OAEP hash, nor a damaged ciphertext', () => {
    const privateKey = privateKeyFromDer(rsa.privateKeyDer);
    const ciphertext = oaepEncrypt(publicKeyFromDer(rsa.publicKeyDer), 'RSAES_OAEP_SHA_256', Buffer.from('secret'));
    expect(oaepDecrypt(privateKey, 'RSAES_OAEP_SHA_1', ciphertext)).toBeUndefined();
    ciphertext[10]! ^= 1;
    expect(oaepDecrypt(privateKey, 'RSAES_OAEP_SHA_256', ciphertext)).toBeUndefined();
  });

  it('opens what openssl pkeyutl encrypts with OAEP SHA-256', () => {
    writeFileSync(join(dir, 'rsa.pem'), publicKeyFromDer(rsa.publicKeyDer).export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'plain.bin'), 'from openssl');
    execFileSync('openssl', [
      'pkeyutl',
      '-encrypt',
      '-pubin',
      '-inkey',
      join(dir, 'rsa.pem'),
      '-in',
      join(dir, 'plain.bin'),
      '-out',
      join(dir, 'cipher.bin'),
      '-pkeyopt',
      'rsa_padding_mode:oaep',
      '-pkeyopt',
      'rsa_oaep_md:sha256',
      '-pkeyopt',
      'rsa_mgf1_md:sha256',
    ]);
    const ciphertext = readFileSync(join(dir, 'cipher.bin'));
    expect(oaepDecrypt(privateKeyFromDer(rsa.privateKeyDer), 'RSAES_OAEP_SHA_256', ciphertext)?.toString()).toBe(
      'from openssl',
    );
  });
});

describe('HMAC', () => {
  it.each(['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const)(
    '%s equals crypto.createHmac and verifies only the same MAC',
    (algorithm) => {
      const bytes = randomBytes(48);
      const key = createSecretKey(bytes);
      const message = Buffer.from('some important message');
      const mac = generateMac(key, algorithm, message);
      expect(mac).toEqual(
        createHmac(`sha${algorithm.slice(-3)}`, bytes)
          .update(message)
          .digest(),
      );
      expect(verifyMac(key, algorithm, message, mac)).toBe(true);
      expect(verifyMac(key, algorithm, Buffer.from('some different important message'), mac)).toBe(false);
      expect(verifyMac(key, algorithm, message, mac.subarray(1))).toBe(false);
      const flipped = Buffer.from(mac);
      flipped[0]! ^= 1;
      expect(verifyMac(key, algorithm, message, flipped)).toBe(false);
    },
  );
});

describe('ECDH', () => {
  it.each(['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'] as const)(
    '%s: the secret equals crypto.diffieHellman from the other side',
    async (spec) => {
      const ours = await generateKeyPairFor(spec);
      const theirs = await generateKeyPairFor(spec);
      const secret = deriveSharedSecret(privateKeyFromDer(ours.privateKeyDer), theirs.publicKeyDer);
      expect(secret).toEqual(
        diffieHellman({
          privateKey: privateKeyFromDer(theirs.privateKeyDer),
          publicKey: publicKeyFromDer(ours.publicKeyDer),
        }),
      );
    },
  );

  it('equals openssl pkeyutl -derive on the same key pair', async () => {
    const ours = await generateKeyPairFor('ECC_NIST_P256');
    const theirs = await generateKeyPairFor('ECC_NIST_P256');
    writeFileSync(
      join(dir, 'ours.pem'),
      privateKeyFromDer(ours.privateKeyDer).export({ type: 'pkcs8', format: 'pem' }),
    );
    writeFileSync(
      join(dir, 'theirs.pem'),
      publicKeyFromDer(theirs.publicKeyDer).export({ type: 'spki', format: 'pem' }),
    );
    const derived = execFileSync('openssl', [
      'pkeyutl',
      '-derive',
      '-inkey',
      join(dir, 'ours.pem'),
      '-peerkey',
      join(dir, 'theirs.pem'),
    ]);
    expect(deriveSharedSecret(privateKeyFromDer(ours.privateKeyDer), theirs.publicKeyDer)).toEqual(derived);
  });

  it('refuses a public key on another curve, an RSA key and garbage', async () => {
    const ours = privateKeyFromDer((await generateKeyPairFor('ECC_NIST_P256')).privateKeyDer);
    expect(deriveSharedSecret(ours, (await generateKeyPairFor('ECC_NIST_P384')).publicKeyDer)).toBeUndefined();
    expect(deriveSharedSecret(ours, rsa.publicKeyDer)).toBeUndefined();
    expect(deriveSharedSecret(ours, randomBytes(91))).toBeUndefined();
  });
});
