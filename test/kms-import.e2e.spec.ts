import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  type AlgorithmSpec,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
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

const DAY = 86_400_000;

describe('bring your own key', () => {
  let h: Harness;
  let kms: KMSClient;
  beforeAll(async () => {
    h = await startKeyledger();
    kms = h.kms;
  });
  afterAll(() => h.close());

  const externalKey = async () => (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
  const importInto = async (
    keyId: string,
    material: Buffer,
    options: {
      algorithm?: AlgorithmSpec;
      spec?: 'RSA_2048' | 'RSA_3072' | 'RSA_4096';
      extra?: Record<string, unknown>;
    } = {},
  ) => {
    const algorithm = options.algorithm ?? 'RSAES_OAEP_SHA_256';
    const params = await kms.send(
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: algorithm,
        WrappingKeySpec: options.spec ?? 'RSA_2048',
      }),
    );
    return kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrap(algorithm, params.PublicKey!, material),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ...options.extra,
      }),
    );
  };

  it('an EXTERNAL key waits for import; GetParametersForImport is refused for AWS_KMS keys', async () => {
    const key = await externalKey();
    expect(key).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false });
    expect(
      await failure(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))),
    ).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${key.Arn} is pending import.`,
    });
    const generated = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    expect(
      await failure(
        kms.send(
          new GetParametersForImportCommand({
            KeyId: generated.KeyId,
            WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
            WrappingKeySpec: 'RSA_2048',
          }),
        ),
      ),
    ).toMatchObject({
      name: 'UnsupportedOperationException',
      message: `${generated.Arn} origin is AWS_KMS which is not valid for this operation.`,
    });
    expect(await failure(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })))).toMatchObject({
      name: 'UnsupportedOperationException',
      message: `${key.Arn} origin is EXTERNAL which is not valid for this operation.`,
    });
  });

  for (const algorithm of [
    'RSAES_OAEP_SHA_1',
    'RSAES_OAEP_SHA_256',
    'RSA_AES_KEY_WRAP_SHA_1',
    'RSA_AES_KEY_WRAP_SHA_256',
  ] as const) {
    // Each wrapping key size is used at least once; RSA_4096 with the two-layer wrap, whose RSA part is 512 bytes.
    const wrappingKeySpec =
      algorithm === 'RSAES_OAEP_SHA_1'
        ? 'RSA_2048'
        : algorithm === 'RSA_AES_KEY_WRAP_SHA_256'
          ? 'RSA_4096'
          : 'RSA_3072';
    it(`imports material wrapped with ${algorithm} under ${wrappingKeySpec}`, async () => {
      const key = await externalKey();
      const params = await kms.send(
        new GetParametersForImportCommand({
          KeyId: key.KeyId,
          WrappingAlgorithm: algorithm,
          WrappingKeySpec: wrappingKeySpec,
        }),
      );
      const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
      expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(Number(wrappingKeySpec.slice(4)));
      expect(params.ParametersValidTo!.getTime() - h.clock.now().getTime()).toBeCloseTo(DAY, -4);
      const imported = await kms.send(
        new ImportKeyMaterialCommand({
          KeyId: key.KeyId,
          ImportToken: params.ImportToken,
          EncryptedKeyMaterial: wrap(algorithm, params.PublicKey!, randomBytes(32)),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      );
      expect(imported.KeyMaterialId).toMatch(/^[a-f0-9]{64}$/);
      const described = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
      expect(described).toMatchObject({
        KeyState: 'Enabled',
        Enabled: true,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        CurrentKeyMaterialId: imported.KeyMaterialId,
      });
      const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from(algorithm) }));
      expect(
        Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext!).toString(),
      ).toBe(algorithm);
      // Generating an RSA_4096 wrapping key can take tens of seconds on a loaded 2-core machine.
    }, 120_000);
  }

  it('delete material, fail, re-import the same material: old ciphertexts decrypt again with the same KeyMaterialId', async () => {
    const key = await externalKey();
    const material = randomBytes(32);
    const first = await importInto(key.KeyId!, material);
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('survives') }));
    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    expect(deleted.KeyMaterialId).toBe(first.KeyMaterialId);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toMatchObject({
      KeyState: 'PendingImport',
      Enabled: false,
    });
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).name).toBe(
      'KMSInvalidStateException',
    );
    const again = await importInto(key.KeyId!, material, { extra: { ImportType: 'EXISTING_KEY_MATERIAL' } });
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('survives');
    expect(dec.KeyMaterialId).toBe(first.KeyMaterialId);
  });

  it('different material as EXISTING_KEY_MATERIAL is IncorrectKeyMaterialException', async () => {
    const key = await externalKey();
    await importInto(key.KeyId!, randomBytes(32));
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    const f = await failure(
      importInto(key.KeyId!, randomBytes(32), { extra: { ImportType: 'EXISTING_KEY_MATERIAL' } }),
    );
    expect(f.name).toBe('IncorrectKeyMaterialException');
  });

  it('new material waits PENDING_ROTATION until RotateKeyOnDemand; old and new ciphertexts each report their own KeyMaterialId', async () => {
    const key = await externalKey();
    const first = await importInto(key.KeyId!, randomBytes(32));
    const oldBlob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('old') })))
      .CiphertextBlob!;
    const second = await importInto(key.KeyId!, randomBytes(32), { extra: { ImportType: 'NEW_KEY_MATERIAL' } });
    const pending = await kms.send(
      new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    expect(pending.Rotations!.find((r) => r.KeyMaterialId === second.KeyMaterialId)).toMatchObject({
      KeyMaterialState: 'PENDING_ROTATION',
      ImportState: 'IMPORTED',
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    // Only one material may wait at a time.
    expect(
      (await failure(importInto(key.KeyId!, randomBytes(32), { extra: { ImportType: 'NEW_KEY_MATERIAL' } }))).name,
    ).toBe('KMSInvalidStateException');
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const newBlob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('new') })))
      .CiphertextBlob!;
    const a = await kms.send(new DecryptCommand({ CiphertextBlob: oldBlob }));
    const b = await kms.send(new DecryptCommand({ CiphertextBlob: newBlob }));
    expect([Buffer.from(a.Plaintext!).toString(), a.KeyMaterialId]).toEqual(['old', first.KeyMaterialId]);
    expect([Buffer.from(b.Plaintext!).toString(), b.KeyMaterialId]).toEqual(['new', second.KeyMaterialId]);
  });

  it('import token misuse: another key’s token, a forged token, an expired token, garbage wrapping', async () => {
    const a = await externalKey();
    const b = await externalKey();
    const params = await kms.send(
      new GetParametersForImportCommand({
        KeyId: a.KeyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const wrapped = wrap('RSAES_OAEP_SHA_256', params.PublicKey!, randomBytes(32));
    const send = (keyId: string, token: Uint8Array, blob: Uint8Array = wrapped) =>
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: keyId,
          ImportToken: token,
          EncryptedKeyMaterial: blob,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      );
    expect((await failure(send(b.KeyId!, params.ImportToken!))).name).toBe('InvalidImportTokenException');
    const forged = Buffer.from(params.ImportToken!);
    forged[forged.length - 1]! ^= 1;
    expect((await failure(send(a.KeyId!, forged))).name).toBe('InvalidImportTokenException');
    expect((await failure(send(a.KeyId!, params.ImportToken!, randomBytes(256)))).name).toBe(
      'InvalidCiphertextException',
    );
    h.clock.advance(DAY + 1000);
    try {
      expect(
        (
          await failure(
            h.kms.send(
              new ImportKeyMaterialCommand({
                KeyId: a.KeyId,
                ImportToken: params.ImportToken,
                EncryptedKeyMaterial: wrapped,
                ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
              }),
            ),
          )
        ).name,
      ).toBe('ExpiredImportTokenException');
    } finally {
      h.clock.advance(-(DAY + 1000));
    }
    expect((await kms.send(new DescribeKeyCommand({ KeyId: a.KeyId }))).KeyMetadata!.KeyState).toBe('PendingImport');
  });

  it('ValidTo rules: required for KEY_MATERIAL_EXPIRES, at most 365 days, forbidden otherwise', async () => {
    const key = await externalKey();
    const params = await kms.send(
      new GetParametersForImportCommand({
        KeyId: key.KeyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const wrapped = wrap('RSAES_OAEP_SHA_256', params.PublicKey!, randomBytes(32));
    const attempt = (extra: Record<string, unknown>) =>
      failure(
        kms.send(
          new ImportKeyMaterialCommand({
            KeyId: key.KeyId,
            ImportToken: params.ImportToken,
            EncryptedKeyMaterial: wrapped,
            ...extra,
          }),
        ),
      );
    expect(await attempt({})).toMatchObject({
      name: 'ValidationException',
      message: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
    });
    expect((await attempt({ ValidTo: new Date(h.clock.now().getTime() + 366 * DAY) })).name).toBe(
      'ValidationException',
    );
    expect((await attempt({ ValidTo: new Date(h.clock.now().getTime()) })).name).toBe('ValidationException');
    expect(
      (
        await attempt({
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
          ValidTo: new Date(h.clock.now().getTime() + DAY),
        })
      ).name,
    ).toBe('ValidationException');
    // The bound itself: exactly 365 days from now is accepted.
    const validTo = new Date(h.clock.now().getTime() + 365 * DAY);
    await kms.send(
      new ImportKeyMaterialCommand({
        KeyId: key.KeyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: validTo,
      }),
    );
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: validTo,
    });
  });
});
