import {
  CreateKeyCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  SignCommand,
  VerifyMacCommand,
  type AlgorithmSpec,
  type KeySpec,
  type KeyUsageType,
  type KMSClient,
  type MacAlgorithmSpec,
} from '@aws-sdk/client-kms';
import {
  constants,
  createCipheriv,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
  verify,
} from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

/** Wraps material the way a customer does with node:crypto (or openssl) for each algorithm. */
function wrap(algorithm: AlgorithmSpec, publicKeyDer: Uint8Array, material: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const hash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  const oaep = (data: Buffer) =>
    publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
  if (algorithm.startsWith('RSAES_OAEP')) return oaep(material);
  const aesKey = randomBytes(32);
  const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
  return Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
}

const message = Buffer.from('imported material at work');

describe('imported asymmetric and HMAC material (Origin EXTERNAL)', () => {
  let h: Harness;
  let kms: KMSClient;
  beforeAll(async () => {
    h = await startKeyledger();
    kms = h.kms;
  });
  afterAll(() => h.close());

  const externalKey = async (KeySpec: KeySpec, KeyUsage: KeyUsageType) =>
    (await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage, Origin: 'EXTERNAL' }))).KeyMetadata!;
  const importInto = async (keyId: string, material: Buffer, algorithm: AlgorithmSpec = 'RSA_AES_KEY_WRAP_SHA_256') => {
    const params = await kms.send(
      new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' }),
    );
    return kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrap(algorithm, params.PublicKey!, material),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
  };

  it.each(['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as KeySpec[])(
    '%s: MACs of imported bytes equal crypto.createHmac with the same bytes',
    async (spec) => {
      const key = await externalKey(spec, 'GENERATE_VERIFY_MAC');
      expect(key).toMatchObject({ KeyState: 'PendingImport', MacAlgorithms: [`HMAC_SHA_${spec.slice(-3)}`] });
      const bytes = randomBytes(Number(spec.slice(-3)) / 8 + 3);
      await importInto(key.KeyId!, bytes, 'RSAES_OAEP_SHA_256');
      const algorithm = `HMAC_SHA_${spec.slice(-3)}` as MacAlgorithmSpec;
      const mac = await kms.send(
        new GenerateMacCommand({ KeyId: key.KeyId, Message: message, MacAlgorithm: algorithm }),
      );
      expect(Buffer.from(mac.Mac!)).toEqual(
        createHmac(`sha${spec.slice(-3)}`, bytes)
          .update(message)
          .digest(),
      );
    },
  );

  it('refuses HMAC material outside the spec length range', async () => {
    const key = await externalKey('HMAC_256', 'GENERATE_VERIFY_MAC');
    const short = await failure(importInto(key.KeyId!, randomBytes(31), 'RSAES_OAEP_SHA_256'));
    // The same text as a wrapping that does not unwrap: telling them apart would be an oracle on RSA decryption.
    expect(short.message).toBe(
      'The encrypted key material could not be unwrapped with these import parameters, ' +
        'or it is not 32 to 64 bytes of key material for an HMAC_256 key.',
    );
    const long = await failure(importInto(key.KeyId!, randomBytes(65), 'RSAES_OAEP_SHA_256'));
    expect(long.status).toBe(400);
    expect(long.message).toBe(short.message);
  });

  it('an imported RSA private key signs verifiably; its public key is derived at import', async () => {
    const key = await externalKey('RSA_2048', 'SIGN_VERIFY');
    const mine = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const oaep = await failure(importInto(key.KeyId!, Buffer.alloc(10), 'RSAES_OAEP_SHA_256'));
    expect(oaep.name).toBe('ValidationException');
    await importInto(key.KeyId!, mine.privateKey.export({ type: 'pkcs8', format: 'der' }));
    const publicKey = (await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!;
    expect(Buffer.from(publicKey)).toEqual(mine.publicKey.export({ type: 'spki', format: 'der' }));
    const signed = await kms.send(
      new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }),
    );
    expect(verify('sha256', message, mine.publicKey, Buffer.from(signed.Signature!))).toBe(true);
  });

  it('imported ECC material: wrong curve refused, delete and re-import as for symmetric keys', async () => {
    const key = await externalKey('ECC_NIST_P256', 'SIGN_VERIFY');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({
      type: 'pkcs8',
      format: 'der',
    });
    const wrong = await failure(importInto(key.KeyId!, p384));
    expect(wrong).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: 'The imported key material is not a PKCS#8 DER private key of key spec ECC_NIST_P256.',
    });
    const mine = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = mine.privateKey.export({ type: 'pkcs8', format: 'der' });
    await importInto(key.KeyId!, pkcs8, 'RSAES_OAEP_SHA_1');
    const sign = () =>
      kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(verify('sha256', message, mine.publicKey, Buffer.from((await sign()).Signature!))).toBe(true);

    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toMatchObject({
      KeyState: 'PendingImport',
      Enabled: false,
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
    expect(await failure(sign())).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${key.Arn} is pending import.`,
    });

    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      type: 'pkcs8',
      format: 'der',
    });
    expect((await failure(importInto(key.KeyId!, other))).name).toBe('IncorrectKeyMaterialException');
    await importInto(key.KeyId!, pkcs8);
    expect(verify('sha256', message, mine.publicKey, Buffer.from((await sign()).Signature!))).toBe(true);
    const mac = await failure(
      kms.send(
        new VerifyMacCommand({
          KeyId: key.KeyId,
          Message: message,
          Mac: Buffer.alloc(32),
          MacAlgorithm: 'HMAC_SHA_256',
        }),
      ),
    );
    expect(mac.name).toBe('InvalidKeyUsageException');
  });
});
