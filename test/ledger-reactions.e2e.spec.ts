import {
  CreateKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import { EventBus } from '@nestjs/cqrs';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { firstValueFrom, filter } from 'rxjs';
import { CHECKPOINT_STREAM } from '@keyledger/integrity';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointWriter } from '../apps/keyledger/src/ledger-api/checkpoint-writer.js';
import { LedgerEventRecorded } from '../apps/keyledger/src/reactions/ledger-event-recorded.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const HOUR = 3_600_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The next event of this type the store subscription delivers to the event bus. */
function nextRecorded(harness: Harness, matches: (e: LedgerEventRecorded['event']) => boolean) {
  return firstValueFrom(
    harness.app
      .get(EventBus)
      .pipe(filter((e): e is LedgerEventRecorded => e instanceof LedgerEventRecorded && matches(e.event))),
  );
}

describe('reactions fed from the store subscription through the event bus', () => {
  it('a key event whose key has work due before the next sweep wakes the scheduler for it', async () => {
    // The periodic sweep is an hour away: only the wake-up can do the expiry while the test waits.
    h = await startKeyledger({ env: { KEYLEDGER_SCHEDULER_INTERVAL_MS: String(HOUR) } });
    const { KeyMetadata } = await h.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
    const keyId = KeyMetadata!.KeyId!;
    const params = await h.kms.send(
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const wrappingKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt(
      { key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(32),
    );
    const validTo = new Date(h.clock.now().getTime() + 2 * HOUR);
    await h.kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: validTo,
      }),
    );
    // Two hours out is past the next sweep: nothing is armed for it yet.
    expect(h.scheduler().nextWakeup).toBeUndefined();

    h.clock.advance(2 * HOUR + 1000);
    const expired = nextRecorded(h, (e) => e.streamName === `key-${keyId}` && e.type === 'KeyMaterialExpired');
    await h.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }));
    const { event } = await expired;
    expect(event.metadata).toMatchObject({ actor: { principal: 'keyledger:scheduler' } });
  });

  it('an appended event arms one checkpoint round; the checkpoint it writes does not arm another', async () => {
    h = await startKeyledger({ env: { KEYLEDGER_CHECKPOINT_INTERVAL_MS: '1000' } });
    const writer = h.app.get(CheckpointWriter);
    const covered = (e: LedgerEventRecorded['event']) =>
      Number((e.data as { covered: { events: string } }).covered.events);
    // Not the genesis checkpoint (it covers nothing), which the subscription may deliver after start returns.
    const checkpointed = nextRecorded(h, (e) => e.streamName === CHECKPOINT_STREAM && covered(e) > 0);
    const { KeyMetadata } = await h.kms.send(new CreateKeyCommand({}));
    expect(writer.armed).toBe(true);
    const { event } = await checkpointed;
    expect(event.data).toMatchObject({ format: 2 });
    // Covers the key's creation, and leaves an idle ledger with nothing armed.
    expect(covered(event)).toBeGreaterThanOrEqual(2);
    expect(writer.armed).toBe(false);
    expect(KeyMetadata!.KeyId).toBeDefined();
  });
});
