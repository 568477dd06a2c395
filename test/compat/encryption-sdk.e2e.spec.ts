/**
 * The AWS Encryption SDK for JavaScript (@aws-crypto/client-node 5.x) against a real Keyledger server.
 *
 * How the ESDK talks to KMS (5.0.2): `KmsKeyringNode({ clientProvider })` calls `clientProvider(region)` (the
 * region is taken from the key ARN; '' for an alias or bare key id) and then calls `client.generateDataKey()`,
 * `client.encrypt()` and `client.decrypt()` as METHODS. So the provider must return the aggregated v3 `KMS`
 * class from @aws-sdk/client-kms (or a v2 client), not the bare `KMSClient` that only has `send()` — see the
 * last test, which pins the error a bare KMSClient gives. `getClient(KMS, config)` from the ESDK builds such a
 * provider; these tests write their own so they can record the operations the ESDK sends.
 *
 * On decrypt the keyring only tries encrypted data keys whose provider info (the key ARN Keyledger returned from
 * GenerateDataKey/Encrypt) is one of its configured key ids, and requires Decrypt to return that same ARN as
 * KeyId — so the keyrings below are configured with key ARNs.
 */
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMS,
  KMSClient,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { recordOperations } from './support/kms-call-log.js';

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('AWS Encryption SDK for JavaScript (@aws-crypto/client-node) KMS keyring', () => {
  let h: Harness;
  let keyA: KeyMetadata;
  let keyB: KeyMetadata;
  /** Operations the ESDK sent through the client provider, in order. */
  const ops: string[] = [];
  const regions: string[] = [];
  const clients: Array<KMS | KMSClient> = [];

  const clientProvider = (region: string) => {
    regions.push(region);
    const client = new KMS({
      endpoint: h.url,
      region: region || 'us-east-1',
      credentials: ADMIN,
      maxAttempts: 1,
    });
    recordOperations(client, ops);
    clients.push(client);
    return client;
  };
  const keyring = (generatorKeyId: string | undefined, keyIds: string[] = []) =>
    new KmsKeyringNode({ generatorKeyId, keyIds, clientProvider });
  const reset = () => {
    ops.length = 0;
    regions.length = 0;
  };

  beforeAll(async () => {
    h = await startKeyledger();
    keyA = (await h.kms.send(new CreateKeyCommand({ Description: 'esdk generator' }))).KeyMetadata!;
    keyB = (await h.kms.send(new CreateKeyCommand({ Description: 'esdk additional' }))).KeyMetadata!;
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await h?.close();
  });

  it('encrypts under one key with GenerateDataKey and decrypts with Decrypt, round-tripping the encryption context', async () => {
    const context = { tenant: 'acme', purpose: 'esdk-compat' };
    const plaintext = Buffer.from('hello from the AWS Encryption SDK');
    reset();
    const { result, messageHeader } = await encrypt(keyring(keyA.Arn!), plaintext, { encryptionContext: context });
    expect(ops).toEqual(['GenerateDataKey']);
    expect(regions).toEqual(['us-east-1']);
    expect(Buffer.from(result).includes(plaintext)).toBe(false);
    expect(messageHeader.encryptedDataKeys.map((edk) => [edk.providerId, edk.providerInfo])).toEqual([
      ['aws-kms', keyA.Arn],
    ]);

    reset();
    const out = await decrypt(keyring(keyA.Arn!), result);
    expect(ops).toEqual(['Decrypt']);
    expect(Buffer.from(out.plaintext).toString('utf8')).toBe('hello from the AWS Encryption SDK');
    // The default (committing, signing) suite adds its public key to the context; ours must be there unchanged.
    expect(out.messageHeader.encryptionContext).toMatchObject(context);
    expect(out.messageHeader.encryptionContext['aws-crypto-public-key']).toEqual(expect.any(String));
  });

  it('binds the whole ESDK encryption context into the Keyledger ciphertext of the data key', async () => {
    const context = { tenant: 'acme' };
    const { messageHeader } = await encrypt(keyring(keyA.Arn!), Buffer.from('x'), { encryptionContext: context });
    const [edk] = messageHeader.encryptedDataKeys;
    const full = messageHeader.encryptionContext;
    const raw = await h.kms.send(
      new DecryptCommand({ CiphertextBlob: edk!.encryptedDataKey, EncryptionContext: full }),
    );
    expect(raw.KeyId).toBe(keyA.Arn);
    expect(raw.Plaintext?.length).toBe(32); // AES-256 data key of the committing suite
    const wrong = await rejection(
      h.kms.send(new DecryptCommand({ CiphertextBlob: edk!.encryptedDataKey, EncryptionContext: context })),
    );
    expect(wrong.name).toBe('InvalidCiphertextException');
  });

  it('encrypts under a generator plus an additional key (GenerateDataKey then Encrypt); either key alone decrypts', async () => {
    const context = { order: '42' };
    reset();
    const { result, messageHeader } = await encrypt(keyring(keyA.Arn!, [keyB.Arn!]), Buffer.from('two keys'), {
      encryptionContext: context,
    });
    expect(ops).toEqual(['GenerateDataKey', 'Encrypt']);
    expect(messageHeader.encryptedDataKeys.map((edk) => edk.providerInfo)).toEqual([keyA.Arn, keyB.Arn]);

    const viaB = await decrypt(keyring(undefined, [keyB.Arn!]), result);
    expect(Buffer.from(viaB.plaintext).toString()).toBe('two keys');
    expect(viaB.messageHeader.encryptionContext).toMatchObject(context);
    const viaA = await decrypt(keyring(undefined, [keyA.Arn!]), result);
    expect(Buffer.from(viaA.plaintext).toString()).toBe('two keys');
  });

  it('encrypts with an alias as generator; the message names the key ARN and decrypts by it', async () => {
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/esdk-compat', TargetKeyId: keyB.KeyId }));
    reset();
    const { result, messageHeader } = await encrypt(keyring('alias/esdk-compat'), Buffer.from('via alias'));
    expect(ops).toEqual(['GenerateDataKey']);
    expect(regions).toEqual(['']); // an alias carries no region: the provider falls back to its own
    expect(messageHeader.encryptedDataKeys.map((edk) => edk.providerInfo)).toEqual([keyB.Arn]);
    const out = await decrypt(keyring(keyB.Arn!), result);
    expect(Buffer.from(out.plaintext).toString()).toBe('via alias');
  });

  it('fails to decrypt once the key is disabled (DisabledException), and the second key still decrypts', async () => {
    const { result: single } = await encrypt(keyring(keyA.Arn!), Buffer.from('single'));
    const { result: both } = await encrypt(keyring(keyA.Arn!, [keyB.Arn!]), Buffer.from('both'));

    await h.kms.send(new DisableKeyCommand({ KeyId: keyA.KeyId }));
    try {
      reset();
      const error = await rejection(decrypt(keyring(keyA.Arn!), single));
      expect(ops).toEqual(['Decrypt']);
      expect(error.message).toContain('Unable to decrypt data key and one or more KMS CMKs had an error');
      expect(error.message).toContain('DisabledException');

      // A keyring holding both keys tries A (disabled), records the error, then decrypts with B.
      reset();
      const out = await decrypt(keyring(keyA.Arn!, [keyB.Arn!]), both);
      expect(ops).toEqual(['Decrypt', 'Decrypt']);
      expect(Buffer.from(out.plaintext).toString()).toBe('both');

      // Encrypting under a disabled generator fails too.
      const encError = await rejection(encrypt(keyring(keyA.Arn!), Buffer.from('no')));
      expect(encError.name).toBe('DisabledException');
    } finally {
      await h.kms.send(new EnableKeyCommand({ KeyId: keyA.KeyId }));
    }
    const again = await decrypt(keyring(keyA.Arn!), single);
    expect(Buffer.from(again.plaintext).toString()).toBe('single');
  });

  it('needs the aggregated KMS class: a bare KMSClient (send-only) is rejected by the ESDK before any request', async () => {
    const bare = new KMSClient({ endpoint: h.url, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 });
    clients.push(bare);
    const bareOps: string[] = [];
    recordOperations(bare, bareOps);
    const bareKeyring = new KmsKeyringNode({
      generatorKeyId: keyA.Arn,
      clientProvider: () => bare as unknown as KMS,
    });
    const error = await rejection(encrypt(bareKeyring, Buffer.from('x')));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/generateDataKey is not a function/);
    expect(bareOps).toEqual([]);
  });
});
