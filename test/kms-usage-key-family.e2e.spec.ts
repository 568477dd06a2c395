import {
  CreateKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateMacCommand,
  GetKeyLastUsageCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STORE, UsageRecorder } from '@keyledger/app';
import type { EventStore } from '@keyledger/event-store';
import { usageStream, type KeyUsageData } from '@keyledger/ledger';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

type UsageRow = KeyUsageData & { errorCode?: string };

async function usage(h: Harness, keyId: string, type: string): Promise<Array<[string, number]>> {
  const store = h.app.get<EventStore>(EVENT_STORE);
  return (await store.readStream(usageStream(keyId)))
    .filter((e) => e.type === type)
    .map((e) => e.data as unknown as UsageRow)
    .map((r) => [r.operation, r.count] as [string, number])
    .sort();
}

/** The key family's operations go through the same dispatcher as Encrypt, so their use is recorded too. */
describe('the usage ledger, for the key family', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_USAGE_FLUSH_MS: '0' } });
  });
  afterAll(() => h.close());

  it('records Sign, Verify, GenerateMac, VerifyMac and the data key pairs, and a refused Sign', async () => {
    const signing = (await h.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))
      .KeyMetadata!.KeyId!;
    const mac = (await h.kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })))
      .KeyMetadata!.KeyId!;
    const symmetric = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const message = Buffer.from('m');
    const signed = await h.kms.send(
      new SignCommand({ KeyId: signing, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    await h.kms.send(
      new VerifyCommand({
        KeyId: signing,
        Message: message,
        SigningAlgorithm: 'ECDSA_SHA_256',
        Signature: signed.Signature,
      }),
    );
    await expect(
      h.kms.send(new SignCommand({ KeyId: signing, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    const generated = await h.kms.send(
      new GenerateMacCommand({ KeyId: mac, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    await h.kms.send(
      new VerifyMacCommand({ KeyId: mac, Message: message, MacAlgorithm: 'HMAC_SHA_256', Mac: generated.Mac }),
    );
    await h.kms.send(new GenerateDataKeyPairCommand({ KeyId: symmetric, KeyPairSpec: 'ECC_NIST_P256' }));
    await h.kms.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: symmetric, KeyPairSpec: 'ECC_NIST_P256' }),
    );

    await h.app.get(UsageRecorder).flush();
    expect(await usage(h, signing, 'KeyUsageRecorded')).toEqual([
      ['Sign', 1],
      ['Verify', 1],
    ]);
    expect((await usage(h, signing, 'KeyUsageRefused')).map(([operation]) => operation)).toEqual(['Sign']);
    expect(await usage(h, mac, 'KeyUsageRecorded')).toEqual([
      ['GenerateMac', 1],
      ['VerifyMac', 1],
    ]);
    expect(await usage(h, symmetric, 'KeyUsageRecorded')).toEqual([
      ['GenerateDataKeyPair', 1],
      ['GenerateDataKeyPairWithoutPlaintext', 1],
    ]);
    const last = await h.kms.send(new GetKeyLastUsageCommand({ KeyId: mac }));
    expect(last.KeyLastUsage!.Operation).toMatch(/^(GenerateMac|VerifyMac)$/);
  });
});
