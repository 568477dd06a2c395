import {
  CreateKeyCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  SignCommand,
  VerifyCommand,
  type KeySpec,
  type KMSClient,
  type MessageType,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { execFileSync } from 'node:child_process';
import {
  constants,
  createCipheriv,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const message = Buffer.from('the artifact whose digest a build system hands to KMS');
const hashOf = (algorithm: string) => `sha${algorithm.slice(-3)}`;
const digestOf = (algorithm: string, data = message) => createHash(hashOf(algorithm)).update(data).digest();
const isPss = (algorithm: string) => algorithm.startsWith('RSASSA_PSS');
const saltOf = (algorithm: string) => Number(algorithm.slice(-3)) / 8;

/** openssl's options over a raw digest: RSA needs the hash named (PSS also MGF1's and the salt length). */
function pkeyopts(algorithm: string): string[] {
  const hash = hashOf(algorithm);
  if (algorithm.startsWith('ECDSA')) return [];
  const options = isPss(algorithm)
    ? [`digest:${hash}`, 'rsa_padding_mode:pss', `rsa_pss_saltlen:${saltOf(algorithm)}`, `rsa_mgf1_md:${hash}`]
    : [`digest:${hash}`];
  return options.flatMap((option) => ['-pkeyopt', option]);
}

/** node:crypto's options for a verifier or signer that hashes the message itself. */
const nodeOptions = (key: KeyObject, algorithm: string) =>
  isPss(algorithm) ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltOf(algorithm) } : key;

const CASES: [KeySpec, SigningAlgorithmSpec][] = [
  ['ECC_NIST_P256', 'ECDSA_SHA_256'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
  ['RSA_2048', 'RSASSA_PSS_SHA_256'],
  ['RSA_3072', 'RSASSA_PSS_SHA_384'],
  ['RSA_2048', 'RSASSA_PSS_SHA_512'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384'],
];

describe('Sign and Verify with MessageType DIGEST through the AWS SDK', () => {
  let h: Harness;
  let kms: KMSClient;
  let dir: string;
  const keys = new Map<KeySpec, Promise<string>>();
  beforeAll(async () => {
    h = await startKeyledger();
    kms = h.kms;
    dir = mkdtempSync(join(tmpdir(), 'keyledger-digest-e2e-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  /** One signing key per spec, made on first use. */
  const keyOf = (spec: KeySpec) => {
    if (!keys.has(spec))
      keys.set(
        spec,
        kms
          .send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }))
          .then((made) => made.KeyMetadata!.KeyId!),
      );
    return keys.get(spec)!;
  };
  const signed = async (KeyId: string, algorithm: SigningAlgorithmSpec, type: MessageType, data: Buffer) =>
    Buffer.from(
      (await kms.send(new SignCommand({ KeyId, Message: data, MessageType: type, SigningAlgorithm: algorithm })))
        .Signature!,
    );
  const verified = (
    KeyId: string,
    algorithm: SigningAlgorithmSpec,
    type: MessageType,
    data: Buffer,
    signature: Buffer,
  ) =>
    kms.send(
      new VerifyCommand({ KeyId, Message: data, MessageType: type, Signature: signature, SigningAlgorithm: algorithm }),
    );
  const publicKeyDerOf = async (KeyId: string) =>
    Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!);

  const opensslVerifies = (publicKeyDer: Buffer, algorithm: string, digest: Buffer, signature: Buffer) => {
    writeFileSync(join(dir, 'pub.der'), publicKeyDer);
    writeFileSync(join(dir, 'digest'), digest);
    writeFileSync(join(dir, 'sig'), signature);
    const args = ['pkeyutl', '-verify', '-pubin', '-keyform', 'DER', '-inkey', join(dir, 'pub.der')];
    try {
      return execFileSync(
        'openssl',
        [...args, ...pkeyopts(algorithm), '-in', join(dir, 'digest'), '-sigfile', join(dir, 'sig')],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      ).includes('Signature Verified Successfully');
    } catch {
      return false;
    }
  };

  it.each(CASES)(
    '%s %s: the DIGEST signature verifies with openssl over the digest and node:crypto over the message',
    async (spec, algorithm) => {
      const keyId = await keyOf(spec);
      const digest = digestOf(algorithm);
      const signature = await signed(keyId, algorithm, 'DIGEST', digest);
      const publicKeyDer = await publicKeyDerOf(keyId);
      const publicKey = createPublicKey({ key: publicKeyDer, format: 'der', type: 'spki' });
      expect(opensslVerifies(publicKeyDer, algorithm, digest, signature)).toBe(true);
      expect(verify(hashOf(algorithm), message, nodeOptions(publicKey, algorithm), signature)).toBe(true);
      expect(await verified(keyId, algorithm, 'DIGEST', digest, signature)).toMatchObject({ SignatureValid: true });

      // RAW and DIGEST over the same message: each signature verifies either way.
      expect(await verified(keyId, algorithm, 'RAW', message, signature)).toMatchObject({ SignatureValid: true });
      const raw = await signed(keyId, algorithm, 'RAW', message);
      expect(await verified(keyId, algorithm, 'DIGEST', digest, raw)).toMatchObject({ SignatureValid: true });
      expect(opensslVerifies(publicKeyDer, algorithm, digest, raw)).toBe(true);

      const tampered = Buffer.from(digest);
      tampered[0]! ^= 0x80;
      // AWS's message is empty; the SDK reports an empty message as 'UnknownError'.
      expect(await failure(verified(keyId, algorithm, 'DIGEST', tampered, signature))).toMatchObject({
        name: 'KMSInvalidSignatureException',
        message: 'UnknownError',
        status: 400,
      });
    },
  );

  /** Wraps material as a customer does for RSA_AES_KEY_WRAP_SHA_256: an AES key under OAEP, the material under KWP. */
  const importInto = async (KeyId: string, pkcs8: Buffer) => {
    const params = await kms.send(
      new GetParametersForImportCommand({
        KeyId,
        WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const wrapping = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
    const aesKey = randomBytes(32);
    const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
    const wrapped = Buffer.concat([
      publicEncrypt({ key: wrapping, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, aesKey),
      cipher.update(pkcs8),
      cipher.final(),
    ]);
    await kms.send(
      new ImportKeyMaterialCommand({
        KeyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
  };

  it.each([
    ['ECC_NIST_P384', 'ECDSA_SHA_384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' })],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' })],
    ['RSA_2048', 'RSASSA_PSS_SHA_256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ] as [KeySpec, SigningAlgorithmSpec, () => { privateKey: KeyObject }][])(
    'imported %s: signatures by openssl pkeyutl over the digest and by node:crypto verify through Verify DIGEST (%s)',
    async (spec, algorithm, generate) => {
      const keyId = (
        await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }))
      ).KeyMetadata!.KeyId!;
      const { privateKey } = generate();
      const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
      await importInto(keyId, pkcs8);
      const digest = digestOf(algorithm);

      writeFileSync(join(dir, 'priv.der'), pkcs8);
      writeFileSync(join(dir, 'digest'), digest);
      const args = ['pkeyutl', '-sign', '-keyform', 'DER', '-inkey', join(dir, 'priv.der'), ...pkeyopts(algorithm)];
      execFileSync('openssl', [...args, '-in', join(dir, 'digest'), '-out', join(dir, 'sig')]);
      const byOpenssl = readFileSync(join(dir, 'sig'));
      expect(await verified(keyId, algorithm, 'DIGEST', digest, byOpenssl)).toMatchObject({ SignatureValid: true });

      const byNode = sign(hashOf(algorithm), message, nodeOptions(privateKey, algorithm));
      expect(await verified(keyId, algorithm, 'DIGEST', digest, byNode)).toMatchObject({ SignatureValid: true });
      const other = digestOf(algorithm, Buffer.from('a different artifact'));
      expect((await failure(verified(keyId, algorithm, 'DIGEST', other, byNode))).name).toBe(
        'KMSInvalidSignatureException',
      );
    },
  );

  it('Ed25519ph: DIGEST and RAW signatures round-trip, and verify with the public key from GetPublicKey', async () => {
    const keyId = await keyOf('ECC_NIST_EDWARDS25519');
    const digest = digestOf('ED25519_PH_SHA_512');
    const publicKey = (await publicKeyDerOf(keyId)).subarray(-32);
    const ofDigest = await signed(keyId, 'ED25519_PH_SHA_512', 'DIGEST', digest);
    // AWS prehashes a DIGEST again ("the input is hashed twice"): the signature is Ed25519ph of the 64 bytes.
    expect(ed25519ph.verify(ofDigest, digest, publicKey)).toBe(true);
    expect(await verified(keyId, 'ED25519_PH_SHA_512', 'DIGEST', digest, ofDigest)).toMatchObject({
      SignatureValid: true,
      SigningAlgorithm: 'ED25519_PH_SHA_512',
    });
    const ofMessage = await signed(keyId, 'ED25519_PH_SHA_512', 'RAW', message);
    expect(ed25519ph.verify(ofMessage, message, publicKey)).toBe(true);
    expect(await verified(keyId, 'ED25519_PH_SHA_512', 'RAW', message, ofMessage)).toMatchObject({
      SignatureValid: true,
    });
    const tampered = Buffer.from(digest);
    tampered[63]! ^= 1;
    expect((await failure(verified(keyId, 'ED25519_PH_SHA_512', 'DIGEST', tampered, ofDigest))).name).toBe(
      'KMSInvalidSignatureException',
    );
    const pure = await signed(keyId, 'ED25519_SHA_512', 'RAW', message);
    expect((await failure(verified(keyId, 'ED25519_PH_SHA_512', 'RAW', message, pure))).name).toBe(
      'KMSInvalidSignatureException',
    );
  });

  it('wrong digest lengths and a digest for PureEdDSA are refused with AWS texts, for Sign and Verify', async () => {
    const refusal = (spec: KeySpec, algorithm: SigningAlgorithmSpec, data: Buffer) =>
      keyOf(spec).then((keyId) => failure(signed(keyId, algorithm, 'DIGEST', data)));
    expect(await refusal('ECC_NIST_P384', 'ECDSA_SHA_384', digestOf('ECDSA_SHA_256'))).toMatchObject({
      name: 'ValidationException',
      message: 'Digest is invalid length for algorithm ECDSA_SHA_384.',
    });
    expect(await refusal('RSA_2048', 'RSASSA_PSS_SHA_512', randomBytes(63))).toMatchObject({
      name: 'ValidationException',
      message: 'Digest is invalid length for algorithm RSASSA_PSS_SHA_512.',
    });
    expect(await refusal('ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', randomBytes(32))).toMatchObject({
      name: 'ValidationException',
      message: 'Digest is invalid length for algorithm ED25519_PH_SHA_512.',
    });
    expect(await refusal('ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', randomBytes(64))).toMatchObject({
      name: 'ValidationException',
      message: 'MessageType DIGEST is not valid for signing algorithm ED25519_SHA_512.',
    });
    const p256 = await keyOf('ECC_NIST_P256');
    const verifyShort = await failure(verified(p256, 'ECDSA_SHA_256', 'DIGEST', randomBytes(31), Buffer.alloc(70, 1)));
    expect(verifyShort).toMatchObject({
      name: 'ValidationException',
      message: 'Digest is invalid length for algorithm ECDSA_SHA_256.',
    });
  });
});
