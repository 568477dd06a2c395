import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetKeyLastUsageCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

/**
 * Outside the home region, every path that opens material (imported, HMAC, key pairs) reads it from
 * the key's own regional stream, and the sealing still names the bare key id.
 */
describe('every kind of key works in a region that is not the home one', () => {
  let h: Harness;
  let eu: KMSClient;

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1' } });
    eu = h.client(ADMIN, 'eu-west-1');
  });
  afterAll(() => h.close());

  it('imported material: parameters, import, encrypt and decrypt in eu-west-1 only', async () => {
    const keyId = (await eu.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const params = await eu.send(
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const key = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(32),
    );
    await eu.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    const { CiphertextBlob } = await eu.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('byok') }));
    expect(Buffer.from((await eu.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('byok');
    expect((await failure(h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })))).name).toBe(
      'NotFoundException',
    );
  });

  it('a signing key pair and an HMAC key', async () => {
    const signer = (await eu.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!;
    expect(signer.Arn).toContain(':eu-west-1:');
    const message = Buffer.from('signed in eu-west-1');
    const { Signature } = await eu.send(
      new SignCommand({ KeyId: signer.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const verified = await eu.send(
      new VerifyCommand({ KeyId: signer.KeyId, Message: message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    expect(verified.SignatureValid).toBe(true);
    const mac = (await eu.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })))
      .KeyMetadata!.KeyId!;
    const made = await eu.send(new GenerateMacCommand({ KeyId: mac, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    const checked = await eu.send(
      new VerifyMacCommand({ KeyId: mac, Message: message, Mac: made.Mac, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    expect(checked.MacValid).toBe(true);
  });

  it('GetKeyLastUsage answers for a key of the region', async () => {
    const keyId = (await eu.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const sealed = await eu.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    const last = await eu.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
    expect(last.KeyId).toBe(`arn:aws:kms:eu-west-1:111122223333:key/${keyId}`);
    expect(last.KeyLastUsage?.Operation).toBe('Encrypt');
    expect(sealed.KeyId).toBe(last.KeyId);
  });
});
