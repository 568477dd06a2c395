import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  DescribeKeyCommand,
  type KeySpec,
  type KeyUsageType,
  type KMSClient,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { execFileSync } from 'node:child_process';
import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const message = Buffer.from('release artifact v1.2.3, sha256 of everything that matters');

describe('signing and MAC keys through the AWS SDK', () => {
  let h: Harness;
  let kms: KMSClient;
  let dir: string;
  beforeAll(async () => {
    h = await startKeyledger();
    kms = h.kms;
    dir = mkdtempSync(join(tmpdir(), 'keyledger-sign-e2e-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  const createKey = async (KeySpec: KeySpec, KeyUsage: KeyUsageType) =>
    (await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }))).KeyMetadata!;
  const publicKeyOf = async (KeyId: string) => {
    const answer = await kms.send(new GetPublicKeyCommand({ KeyId }));
    return { answer, key: createPublicKey({ key: Buffer.from(answer.PublicKey!), format: 'der', type: 'spki' }) };
  };

  it('creates and describes a signing key with AWS spec, usage and algorithm list', async () => {
    const key = await createKey('ECC_NIST_P256', 'SIGN_VERIFY');
    expect(key).toMatchObject({
      KeySpec: 'ECC_NIST_P256',
      CustomerMasterKeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['ECDSA_SHA_256'],
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
    });
    expect(key.EncryptionAlgorithms).toBeUndefined();
    expect(key.CurrentKeyMaterialId).toBeUndefined();
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
    expect(described.SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
    const hmac = await createKey('HMAC_384', 'GENERATE_VERIFY_MAC');
    expect(hmac).toMatchObject({ KeySpec: 'HMAC_384', MacAlgorithms: ['HMAC_SHA_384'] });
  });

  it.each([
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
    ['ECC_NIST_P384', 'ECDSA_SHA_384'],
    ['ECC_NIST_P521', 'ECDSA_SHA_512'],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
    ['RSA_2048', 'RSASSA_PSS_SHA_256'],
    ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512'],
    ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'],
  ] as [KeySpec, SigningAlgorithmSpec][])(
    '%s %s: Sign verifies through Verify, node:crypto and openssl with GetPublicKey key',
    async (spec, algorithm) => {
      const key = await createKey(spec, 'SIGN_VERIFY');
      const signed = await kms.send(
        new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: algorithm }),
      );
      expect(signed).toMatchObject({ KeyId: key.Arn, SigningAlgorithm: algorithm });
      const signature = Buffer.from(signed.Signature!);
      const { answer, key: publicKey } = await publicKeyOf(key.KeyId!);
      expect(answer).toMatchObject({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', KeyId: key.Arn });
      expect(answer.SigningAlgorithms).toContain(algorithm);

      const hash = algorithm === 'ED25519_SHA_512' ? null : `sha${algorithm.slice(-3)}`;
      const options = algorithm.startsWith('RSASSA_PSS')
        ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : publicKey;
      expect(verify(hash, message, options, signature)).toBe(true);

      if (hash !== null) {
        writeFileSync(join(dir, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
        writeFileSync(join(dir, 'sig'), signature);
        writeFileSync(join(dir, 'msg'), message);
        const pss = algorithm.startsWith('RSASSA_PSS')
          ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32']
          : [];
        const out = execFileSync('openssl', [
          'dgst',
          `-${hash}`,
          '-verify',
          join(dir, 'pub.pem'),
          ...pss,
          '-signature',
          join(dir, 'sig'),
          join(dir, 'msg'),
        ]).toString();
        expect(out).toContain('Verified OK');
      }

      const verified = await kms.send(
        new VerifyCommand({ KeyId: key.KeyId, Message: message, Signature: signature, SigningAlgorithm: algorithm }),
      );
      expect(verified).toMatchObject({ KeyId: key.Arn, SignatureValid: true, SigningAlgorithm: algorithm });
      const bad = await failure(
        kms.send(
          new VerifyCommand({
            KeyId: key.KeyId,
            Message: Buffer.from('other'),
            Signature: signature,
            SigningAlgorithm: algorithm,
          }),
        ),
      );
      // AWS's message is empty; the SDK reports an empty message as 'UnknownError'.
      expect(bad).toMatchObject({ name: 'KMSInvalidSignatureException', message: 'UnknownError', status: 400 });
    },
  );

  it('signs a digest with PKCS#1 v1.5 exactly as the message, and checks digest lengths with AWS text', async () => {
    const key = await createKey('RSA_2048', 'SIGN_VERIFY');
    const digest = createHash('sha256').update(message).digest();
    const signed = await kms.send(
      new SignCommand({
        KeyId: key.KeyId,
        Message: digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
      }),
    );
    const { key: publicKey } = await publicKeyOf(key.KeyId!);
    expect(verify('sha256', message, publicKey, Buffer.from(signed.Signature!))).toBe(true);
    const short = await failure(
      kms.send(
        new SignCommand({
          KeyId: key.KeyId,
          Message: digest.subarray(1),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'RSASSA_PSS_SHA_256',
        }),
      ),
    );
    expect(short).toMatchObject({
      name: 'ValidationException',
      message: 'Digest is invalid length for algorithm RSASSA_PSS_SHA_256.',
    });
    const ecc = await createKey('ECC_NIST_P256', 'SIGN_VERIFY');
    const eccShort = await failure(
      kms.send(
        new SignCommand({
          KeyId: ecc.KeyId,
          Message: digest.subarray(2),
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    );
    expect(eccShort).toMatchObject({
      name: 'ValidationException',
      message: 'Digest is invalid length for algorithm ECDSA_SHA_256.',
    });
    // DIGEST with ECDSA, PSS and Ed25519ph: kms-signing-digest.e2e.spec.ts.
  });

  it('refuses the wrong usage, the wrong algorithm and a non-signing key, with AWS texts', async () => {
    const key = await createKey('ECC_NIST_P256', 'SIGN_VERIFY');
    const encrypt = await failure(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })));
    expect(encrypt).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${key.Arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`,
    });
    const wrongAlgorithm = await failure(
      kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' })),
    );
    expect(wrongAlgorithm).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.',
    });
    const hmac = await createKey('HMAC_256', 'GENERATE_VERIFY_MAC');
    const sign = await failure(
      kms.send(new SignCommand({ KeyId: hmac.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })),
    );
    expect(sign.message).toBe(`${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.`);
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const mac = await failure(
      kms.send(new GenerateMacCommand({ KeyId: symmetric.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })),
    );
    expect(mac.message).toBe(`${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`);
    expect((await failure(kms.send(new GetPublicKeyCommand({ KeyId: symmetric.KeyId })))).name).toBe(
      'UnsupportedOperationException',
    );
  });

  it('a disabled or pending-deletion signing key refuses Sign', async () => {
    const key = await createKey('ECC_NIST_P384', 'SIGN_VERIFY');
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const sign = () =>
      kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' }));
    expect(await failure(sign())).toMatchObject({ name: 'DisabledException', message: `${key.Arn} is disabled.` });
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(await failure(sign())).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${key.Arn} is pending deletion.`,
    });
  });

  it('validates spec and usage at CreateKey as AWS does, and refuses SM2 and ML-DSA saying why', async () => {
    const noUsage = await failure(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' })));
    expect(noUsage).toMatchObject({
      name: 'ValidationException',
      message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    });
    const incompatible = await failure(
      kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' })),
    );
    expect(incompatible).toMatchObject({
      name: 'ValidationException',
      message: 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048',
    });
    const sm2 = await failure(kms.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' })));
    expect(sm2.name).toBe('UnsupportedOperationException');
    expect(sm2.message).toContain('China Regions');
    const mldsa = await failure(kms.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' })));
    expect(mldsa.name).toBe('UnsupportedOperationException');
    expect(mldsa.message).toBe(
      "KeySpec ML_DSA_65 is not supported: Node 20's crypto has no ML-DSA, and no independently audited ML-DSA library with constant-time signing exists for Node yet, so Keyledger does not hold ML-DSA keys.",
    );
  });

  it('refuses rotation of keys AWS does not rotate', async () => {
    const key = await createKey('RSA_2048', 'SIGN_VERIFY');
    const enable = await failure(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })));
    expect(enable).toMatchObject({
      name: 'UnsupportedOperationException',
      message: `${key.Arn} key spec is RSA_2048 which is not valid for this operation.`,
    });
    const onDemand = await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })));
    expect(onDemand).toMatchObject({ name: 'UnsupportedOperationException', message: 'UnknownError' });
    expect((await failure(kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })))).name).toBe(
      'UnsupportedOperationException',
    );
  });

  it('HMAC keys: GenerateMac / VerifyMac, the spec algorithm only, and an empty refusal for a wrong MAC', async () => {
    const key = await createKey('HMAC_224', 'GENERATE_VERIFY_MAC');
    const mac = await kms.send(
      new GenerateMacCommand({ KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_224' }),
    );
    expect(mac).toMatchObject({ KeyId: key.Arn, MacAlgorithm: 'HMAC_SHA_224' });
    expect(mac.Mac).toHaveLength(28);
    const verified = await kms.send(
      new VerifyMacCommand({ KeyId: key.KeyId, Message: message, Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_224' }),
    );
    expect(verified).toMatchObject({ KeyId: key.Arn, MacValid: true, MacAlgorithm: 'HMAC_SHA_224' });
    const wrong = await failure(
      kms.send(
        new VerifyMacCommand({
          KeyId: key.KeyId,
          Message: Buffer.from('other'),
          Mac: mac.Mac,
          MacAlgorithm: 'HMAC_SHA_224',
        }),
      ),
    );
    expect(wrong).toMatchObject({ name: 'KMSInvalidMacException', message: 'UnknownError', status: 400 });
    const algorithm = await failure(
      kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })),
    );
    expect(algorithm).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
    });
  });
});
