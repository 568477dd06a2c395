import { CreateKeyCommand, DecryptCommand, EncryptCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCiphertext } from '@keyledger/crypto';
import { EVENT_STORE, UsageRecorder } from '@keyledger/app';
import type { EventStore } from '@keyledger/event-store';
import { usageStream, type KeyUsageData } from '@keyledger/ledger';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

type Refusal = KeyUsageData & { errorCode: string };

/** "Who tried and failed" is audit evidence: each refusal is counted against the key with its AWS error type. */
describe('refused attempts in the usage ledger', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_USAGE_FLUSH_MS: '0' } });
  });
  afterAll(() => h.close());

  const refusals = async (keyId: string): Promise<Refusal[]> => {
    await h.app.get(UsageRecorder).flush();
    const events = await h.app.get<EventStore>(EVENT_STORE).readStream(usageStream(keyId));
    return events.filter((e) => e.type === 'KeyUsageRefused').map((e) => e.data as unknown as Refusal);
  };
  const createKey = async () => (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const encrypt = async (keyId: string) =>
    Buffer.from((await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }))).CiphertextBlob!);

  it('a tampered ciphertext: InvalidCiphertextException, on the backing key its header names', async () => {
    const keyId = await createKey();
    const blob = await encrypt(keyId);
    blob[blob.length - 1]! ^= 1;
    await expect(h.kms.send(new DecryptCommand({ CiphertextBlob: blob }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    expect((await refusals(keyId)).map((r) => [r.operation, r.errorCode, r.keyMaterialId, r.count])).toEqual([
      ['Decrypt', 'InvalidCiphertextException', parseCiphertext(blob).keyMaterialId, 1],
    ]);
  });

  it('the wrong key named: IncorrectKeyException, against the key named', async () => {
    const keyId = await createKey();
    const other = await createKey();
    const blob = await encrypt(keyId);
    await expect(h.kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: other }))).rejects.toMatchObject({
      name: 'IncorrectKeyException',
    });
    expect((await refusals(other)).map((r) => [r.operation, r.errorCode, r.count])).toEqual([
      ['Decrypt', 'IncorrectKeyException', 1],
    ]);
  });

  it('a key pending deletion: KMSInvalidStateException, twice in a minute counted as two', async () => {
    const keyId = await createKey();
    const blob = await encrypt(keyId);
    await h.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    for (let i = 0; i < 2; i++)
      await expect(h.kms.send(new DecryptCommand({ CiphertextBlob: blob }))).rejects.toMatchObject({
        name: 'KMSInvalidStateException',
      });
    expect((await refusals(keyId)).map((r) => [r.operation, r.errorCode, r.count])).toEqual([
      ['Decrypt', 'KMSInvalidStateException', 2],
    ]);
  });
});
