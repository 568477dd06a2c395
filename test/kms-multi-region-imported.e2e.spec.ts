import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ReplicateKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

/** AWS: an imported-material multi-Region key's replicas each import the same material as the primary. */
describe('a multi-Region key of imported material (Origin EXTERNAL), through @aws-sdk/client-kms', () => {
  let h: Harness;
  let keyId: string;
  const material = randomBytes(32);
  const kms = (region: string): KMSClient => h.client(ADMIN, region);
  const describeIn = async (region: string) =>
    (await kms(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
  /** GetParametersForImport then ImportKeyMaterial in `region`, as a user does it. */
  const importInto = async (region: string, bytes: Buffer) => {
    const params = await kms(region).send(
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const wrappingKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt(
      { key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      bytes,
    );
    return kms(region).send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
  };
  const encryptIn = async (region: string, text: string) =>
    (await kms(region).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) }))).CiphertextBlob!;
  const decryptIn = async (region: string, blob: Uint8Array) =>
    Buffer.from((await kms(region).send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1' } });
  });
  afterAll(() => h.close());

  it('the primary and its replica are both EXTERNAL and wait for material (PendingImport)', async () => {
    const created = await kms('us-east-1').send(new CreateKeyCommand({ MultiRegion: true, Origin: 'EXTERNAL' }));
    keyId = created.KeyMetadata!.KeyId!;
    expect(keyId).toMatch(/^mrk-/);
    expect(created.KeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport' });
    const replicated = await kms('us-east-1').send(
      new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }),
    );
    expect(replicated.ReplicaKeyMetadata).toMatchObject({
      Origin: 'EXTERNAL',
      KeyState: 'PendingImport',
      MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' },
    });
  });

  it('a replica refuses material its primary has not been given', async () => {
    expect(await failure(importInto('eu-west-1', material))).toMatchObject({ name: 'IncorrectKeyMaterialException' });
    expect((await describeIn('eu-west-1')).KeyState).toBe('PendingImport');
  });

  it('imported into the primary, the material is not copied: the replica still waits for its own import', async () => {
    await importInto('us-east-1', material);
    expect((await describeIn('us-east-1')).KeyState).toBe('Enabled');
    expect((await describeIn('eu-west-1')).KeyState).toBe('PendingImport');
    expect(await failure(encryptIn('eu-west-1', 'x'))).toMatchObject({ name: 'KMSInvalidStateException' });
  });

  it('the replica takes the same material, and nothing else', async () => {
    expect(await failure(importInto('eu-west-1', randomBytes(32)))).toMatchObject({
      name: 'IncorrectKeyMaterialException',
    });
    await importInto('eu-west-1', material);
    const [primary, replica] = [await describeIn('us-east-1'), await describeIn('eu-west-1')];
    expect(replica.KeyState).toBe('Enabled');
    expect(replica.CurrentKeyMaterialId).toBe(primary.CurrentKeyMaterialId);
  });

  it('a ciphertext made in either region decrypts in the other', async () => {
    expect(await decryptIn('eu-west-1', await encryptIn('us-east-1', 'from the primary'))).toBe('from the primary');
    expect(await decryptIn('us-east-1', await encryptIn('eu-west-1', 'from the replica'))).toBe('from the replica');
  });

  it("deleting the replica's imported material leaves the primary's alone", async () => {
    const blob = await encryptIn('us-east-1', 'kept');
    await kms('eu-west-1').send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    expect((await describeIn('eu-west-1')).KeyState).toBe('PendingImport');
    expect(await failure(decryptIn('eu-west-1', blob))).toMatchObject({ name: 'KMSInvalidStateException' });
    expect(await decryptIn('us-east-1', blob)).toBe('kept');
    // The same material brings the replica back, and with it what was made before.
    await importInto('eu-west-1', material);
    expect(await decryptIn('eu-west-1', blob)).toBe('kept');
  });
});
