import {
  CreateKeyCommand,
  DisableKeyCommand,
  GetPublicKeyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';
import { ledgerApi } from './support/ledger-api-request.js';

let h: Harness;

const api = (method: 'GET' | 'POST', path: string, body?: unknown, query: Record<string, string> = {}) =>
  ledgerApi(h, method, path, { query, body });

beforeAll(async () => {
  h = await startKeyledger();
});
afterAll(() => h.close());

describe('the ledger surface knows keys of every spec', () => {
  it('inventory names spec and usage; rotation compliance says not applicable for keys AWS does not rotate', async () => {
    const signing = (await h.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!;
    const symmetric = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const inventory = await api('GET', '/v1/reports/inventory');
    expect(inventory.status).toBe(200);
    const byId = new Map(inventory.json.keys.map((k: { keyId: string }) => [k.keyId, k]));
    expect(byId.get(signing.KeyId!)).toMatchObject({ keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' });
    expect(byId.get(symmetric.KeyId!)).toMatchObject({ keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' });

    h.clock.advance(400 * 86_400_000);
    const compliance = await api('GET', '/v1/reports/rotation-compliance', undefined, { maxAgeDays: '365' });
    const reasons = new Map(compliance.json.keys.map((k: { keyId: string; reason: string }) => [k.keyId, k]));
    expect(reasons.get(signing.KeyId!)).toMatchObject({ reason: 'NOT_APPLICABLE', compliant: true });
    expect(reasons.get(symmetric.KeyId!)).toMatchObject({ reason: 'ROTATION_DISABLED', compliant: false });
  });

  it('decryptability of an RSA ciphertext with its keyId answers from the key state at that time', async () => {
    const key = (await h.kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })))
      .KeyMetadata!;
    const publicKey = createPublicKey({
      key: Buffer.from((await h.kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!),
      format: 'der',
      type: 'spki',
    });
    const blob = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      Buffer.from('x'),
    ).toString('base64');
    const enabledAt = h.clock.now();
    h.clock.advance(60_000);
    await h.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    h.clock.advance(60_000);
    await h.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));

    const ask = (body: Record<string, unknown>) => api('POST', '/v1/decryptability', body);
    expect((await ask({ ciphertextBlob: blob, keyId: key.KeyId, asOf: enabledAt.toISOString() })).json).toMatchObject({
      decryptable: true,
      reason: 'DECRYPTABLE',
      keyId: key.KeyId,
      keyState: 'Enabled',
    });
    expect((await ask({ ciphertextBlob: blob, keyId: key.Arn })).json).toMatchObject({
      decryptable: false,
      reason: 'KEY_PENDING_DELETION',
    });
    expect((await ask({ ciphertextBlob: Buffer.alloc(100).toString('base64'), keyId: key.KeyId })).json.reason).toBe(
      'INVALID_CIPHERTEXT',
    );
    // Without the keyId the blob names no key.
    expect((await ask({ ciphertextBlob: blob })).json.reason).toBe('INVALID_CIPHERTEXT');
  });
});
