import {
  CreateKeyCommand,
  DecryptCommand,
  DeriveSharedSecretCommand,
  EncryptCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  ReEncryptCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type DataKeyPairSpec,
  type KMSClient,
} from '@aws-sdk/client-kms';
import {
  constants,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  verify,
} from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const spki = (der: Uint8Array) => createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });

describe('RSA encryption, key agreement and data key pairs through the AWS SDK', () => {
  let h: Harness;
  let kms: KMSClient;
  beforeAll(async () => {
    h = await startKeyledger();
    kms = h.kms;
  });
  afterAll(() => h.close());

  it('decrypts what was encrypted locally with GetPublicKey key (OAEP), and needs the KeyId to do it', async () => {
    const key = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })))
      .KeyMetadata!;
    expect(key.EncryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
    const publicKey = spki((await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!);
    const plaintext = randomBytes(190);
    const local = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      plaintext,
    );
    const opened = await kms.send(
      new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: local, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    );
    expect(Buffer.from(opened.Plaintext!)).toEqual(plaintext);
    expect(opened).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(opened.KeyMaterialId).toBeUndefined();

    const sha1 = await kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('sha1'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
    );
    expect(sha1.CiphertextBlob).toHaveLength(256);
    expect(sha1.EncryptionAlgorithm).toBe('RSAES_OAEP_SHA_1');
    const back = await kms.send(
      new DecryptCommand({
        KeyId: key.KeyId,
        CiphertextBlob: sha1.CiphertextBlob,
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      }),
    );
    expect(Buffer.from(back.Plaintext!).toString()).toBe('sha1');

    const noKeyId = await failure(
      kms.send(new DecryptCommand({ CiphertextBlob: local, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
    );
    expect(noKeyId.name).toBe('InvalidCiphertextException');
    const wrongHash = await failure(
      kms.send(
        new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: local, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      ),
    );
    expect(wrongHash.name).toBe('InvalidCiphertextException');
    const noAlgorithm = await failure(kms.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: local })));
    expect(noAlgorithm).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.',
    });
    const tooLong = await failure(
      kms.send(
        new EncryptCommand({
          KeyId: key.KeyId,
          Plaintext: randomBytes(191),
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        }),
      ),
    );
    expect(tooLong).toMatchObject({
      name: 'ValidationException',
      message: 'Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.',
    });
  });

  it('re-encrypts from a symmetric key to an RSA key and back', async () => {
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_3072', KeyUsage: 'ENCRYPT_DECRYPT' })))
      .KeyMetadata!;
    const first = await kms.send(
      new EncryptCommand({ KeyId: symmetric.KeyId, Plaintext: Buffer.from('moves'), EncryptionContext: { a: 'b' } }),
    );
    const toRsa = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: first.CiphertextBlob,
        SourceEncryptionContext: { a: 'b' },
        DestinationKeyId: rsa.KeyId,
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
    );
    expect(toRsa).toMatchObject({
      SourceKeyId: symmetric.Arn,
      KeyId: rsa.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    const toSymmetric = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: toRsa.CiphertextBlob,
        SourceKeyId: rsa.KeyId,
        SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        DestinationKeyId: symmetric.KeyId,
      }),
    );
    expect(toSymmetric).toMatchObject({ SourceKeyId: rsa.Arn, DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const last = await kms.send(new DecryptCommand({ CiphertextBlob: toSymmetric.CiphertextBlob }));
    expect(Buffer.from(last.Plaintext!).toString()).toBe('moves');
  });

  it('DeriveSharedSecret equals crypto.diffieHellman on the same key pair, and refuses what AWS refuses', async () => {
    const key = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' })))
      .KeyMetadata!;
    expect(key.KeyAgreementAlgorithms).toEqual(['ECDH']);
    const mine = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const derived = await kms.send(
      new DeriveSharedSecretCommand({
        KeyId: key.KeyId,
        KeyAgreementAlgorithm: 'ECDH',
        PublicKey: mine.publicKey.export({ type: 'spki', format: 'der' }),
      }),
    );
    expect(derived).toMatchObject({ KeyId: key.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
    const theirs = spki((await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!);
    expect(Buffer.from(derived.SharedSecret!)).toEqual(
      diffieHellman({ privateKey: mine.privateKey, publicKey: theirs }),
    );

    const otherCurve = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    const invalid = await failure(
      kms.send(
        new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: otherCurve }),
      ),
    );
    expect(invalid).toMatchObject({ name: 'ValidationException', status: 400 });
    const signing = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!;
    const usage = await failure(
      kms.send(
        new DeriveSharedSecretCommand({ KeyId: signing.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: otherCurve }),
      ),
    );
    expect(usage.message).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.`);
    const dryRun = await failure(
      kms.send(
        new DeriveSharedSecretCommand({
          KeyId: key.KeyId,
          KeyAgreementAlgorithm: 'ECDH',
          PublicKey: otherCurve,
          DryRun: true,
        }),
      ),
    );
    expect(dryRun.name).toBe('DryRunOperationException');
  });

  it.each([
    'RSA_2048',
    'ECC_NIST_P256',
    'ECC_NIST_P384',
    'ECC_NIST_P521',
    'ECC_SECG_P256K1',
    'ECC_NIST_EDWARDS25519',
  ] as DataKeyPairSpec[])(
    'GenerateDataKeyPair %s: PKCS#8 private key of the public key, sealed under the symmetric key with its context',
    async (spec) => {
      const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const pair = await kms.send(
        new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: spec, EncryptionContext: { purpose: 'test' } }),
      );
      expect(pair).toMatchObject({ KeyId: key.Arn, KeyPairSpec: spec });
      const privateKey = createPrivateKey({
        key: Buffer.from(pair.PrivateKeyPlaintext!),
        format: 'der',
        type: 'pkcs8',
      });
      expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toEqual(Buffer.from(pair.PublicKey!));
      const opened = await kms.send(
        new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { purpose: 'test' } }),
      );
      expect(Buffer.from(opened.Plaintext!)).toEqual(Buffer.from(pair.PrivateKeyPlaintext!));
      const noContext = await failure(kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob })));
      expect(noContext.name).toBe('InvalidCiphertextException');
    },
  );

  it('GenerateDataKeyPairWithoutPlaintext, SM2 refused, DryRun, and a non-symmetric key refused', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const pair = await kms.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }),
    );
    expect(pair).not.toHaveProperty('PrivateKeyPlaintext');
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    const privateKey = createPrivateKey({ key: Buffer.from(opened.Plaintext!), format: 'der', type: 'pkcs8' });
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toEqual(Buffer.from(pair.PublicKey!));
    const sm2 = await failure(kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'SM2' })));
    expect(sm2.name).toBe('UnsupportedOperationException');
    const dryRun = await failure(
      kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'RSA_2048', DryRun: true })),
    );
    expect(dryRun).toMatchObject({
      name: 'DryRunOperationException',
      message: 'The request would have succeeded, but the DryRun option is set.',
    });
    const hmac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })))
      .KeyMetadata!;
    const refused = await failure(
      kms.send(new GenerateDataKeyPairCommand({ KeyId: hmac.KeyId, KeyPairSpec: 'RSA_2048' })),
    );
    expect(refused).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKeyPair.`,
    });
  });
});

describe('a restart keeps every kind of key working', () => {
  it('signs, verifies, MACs, decrypts and derives with the same keys after a restart', async () => {
    const first = await startKeyledger();
    const kms = first.kms;
    const signing = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!;
    const hmac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' })))
      .KeyMetadata!;
    const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })))
      .KeyMetadata!;
    const ecdh = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })))
      .KeyMetadata!;
    const message = Buffer.from('kept across restarts');
    const publicKeyBefore = (await kms.send(new GetPublicKeyCommand({ KeyId: signing.KeyId }))).PublicKey!;
    const mac = (
      await kms.send(new GenerateMacCommand({ KeyId: hmac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_512' }))
    ).Mac!;
    const ciphertext = (
      await kms.send(
        new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      )
    ).CiphertextBlob!;
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    const derive = (client: KMSClient) =>
      client.send(new DeriveSharedSecretCommand({ KeyId: ecdh.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer }));
    const secretBefore = (await derive(kms)).SharedSecret!;
    await first.stop();

    const second = await startKeyledger({ dataDir: first.dataDir, clock: first.clock });
    try {
      const again = second.kms;
      const signed = await again.send(
        new SignCommand({ KeyId: signing.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      expect(verify('sha256', message, spki(publicKeyBefore), Buffer.from(signed.Signature!))).toBe(true);
      const verified = await again.send(
        new VerifyCommand({
          KeyId: signing.KeyId,
          Message: message,
          Signature: signed.Signature,
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      expect(verified.SignatureValid).toBe(true);
      const macValid = await again.send(
        new VerifyMacCommand({ KeyId: hmac.KeyId, Message: message, Mac: mac, MacAlgorithm: 'HMAC_SHA_512' }),
      );
      expect(macValid.MacValid).toBe(true);
      const opened = await again.send(
        new DecryptCommand({ KeyId: rsa.KeyId, CiphertextBlob: ciphertext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      );
      expect(Buffer.from(opened.Plaintext!)).toEqual(message);
      expect(Buffer.from((await derive(again)).SharedSecret!)).toEqual(Buffer.from(secretBefore));
    } finally {
      await second.close();
    }
  });
});
