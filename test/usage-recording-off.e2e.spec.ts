import { CreateKeyCommand, EncryptCommand, GetKeyLastUsageCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STORE, UsageRecorder } from '@keyledger/app';
import { StreamNotFoundError, type EventStore } from '@keyledger/event-store';
import { usageStream } from '@keyledger/ledger';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

/** KEYLEDGER_USAGE_RECORDING=off exists to measure what recording costs; off, it records nothing at all. */
describe('usage recording switched off', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_USAGE_FLUSH_MS: '0', KEYLEDGER_USAGE_RECORDING: 'off' } });
  });
  afterAll(() => h.close());

  it('counts no use, appends no usage and knows no last use', async () => {
    const keyId = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    await h.app.get(UsageRecorder).flush();
    const last = await h.kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
    expect(last.KeyLastUsage).toBeUndefined();
    await expect(h.app.get<EventStore>(EVENT_STORE).readStream(usageStream(keyId))).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );
  });
});
