import {
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  GetKeyLastUsageCommand,
  RotateKeyOnDemandCommand,
  CreateKeyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCiphertext } from '@keyledger/crypto';
import { EVENT_STORE, UsageRecorder } from '@keyledger/app';
import type { EventStore } from '@keyledger/event-store';
import { eventHash, integrityOf, usageStream, withoutIntegrity, type KeyUsageData } from '@keyledger/ledger';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

type UsageRow = KeyUsageData & { errorCode?: string };

async function usageEvents(h: Harness, keyId: string): Promise<Array<{ type: string; data: UsageRow }>> {
  const store = h.app.get<EventStore>(EVENT_STORE);
  return (await store.readStream(usageStream(keyId))).map((e) => ({
    type: e.type,
    data: e.data as unknown as UsageRow,
  }));
}

describe('the usage ledger', () => {
  let h: Harness;
  let keyId: string;
  const materials: string[] = [];
  let lastRequestId: string | undefined;

  beforeAll(async () => {
    // Flushes only when the test asks: the counts are then exactly what the test did.
    h = await startKeyledger({ env: { KEYLEDGER_USAGE_FLUSH_MS: '0' } });
    keyId = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  });
  afterAll(() => h.close());

  it('counts each use per operation and backing key, across a rotation', async () => {
    const before: Uint8Array[] = [];
    for (let i = 0; i < 2; i++) {
      const out = await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(`a${i}`) }));
      before.push(out.CiphertextBlob!);
      materials[0] = parseCiphertext(Buffer.from(out.CiphertextBlob!)).keyMaterialId;
    }
    await h.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const after = await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('b') }));
    materials[1] = parseCiphertext(Buffer.from(after.CiphertextBlob!)).keyMaterialId;
    const decrypted = await h.kms.send(new DecryptCommand({ CiphertextBlob: before[0] }));
    lastRequestId = decrypted.$metadata.requestId;
    expect(materials[1]).not.toBe(materials[0]);

    await h.app.get(UsageRecorder).flush();
    const rows = (await usageEvents(h, keyId)).filter((e) => e.type === 'KeyUsageRecorded').map((e) => e.data);
    const count = (operation: string, material: string) =>
      rows
        .filter((r) => r.operation === operation && r.keyMaterialId === material)
        .reduce((sum, r) => sum + r.count, 0);
    expect(count('Encrypt', materials[0]!)).toBe(2);
    expect(count('Encrypt', materials[1]!)).toBe(1);
    expect(count('Decrypt', materials[0]!)).toBe(1);
    expect(count('Decrypt', materials[1]!)).toBe(0);
    expect(new Set(rows.map((r) => r.principal)).size).toBe(1);
    expect(rows.every((r) => r.sourceAddresses.includes('127.0.0.1'))).toBe(true);
  });

  it('answers GetKeyLastUsage exactly, before any flush', async () => {
    // The harness clock stands still; a second later makes this use the one latest.
    h.clock.advance(1000);
    const encrypted = await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('c') }));
    const last = await h.kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
    expect(last.KeyLastUsage).toMatchObject({ Operation: 'Encrypt', KmsRequestId: encrypted.$metadata.requestId });
    expect(last.KeyId).toMatch(new RegExp(`:key/${keyId}$`));
    expect(last.TrackingStartDate!.getTime()).toBeLessThanOrEqual(last.KeyLastUsage!.Timestamp!.getTime());
    expect(lastRequestId).toBeDefined();
  });

  it('records a refusal with its error type, and it is not a use', async () => {
    await h.kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await expect(h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }))).rejects.toMatchObject({
      name: 'DisabledException',
    });
    await h.app.get(UsageRecorder).flush();
    const refused = (await usageEvents(h, keyId)).filter((e) => e.type === 'KeyUsageRefused');
    expect(refused.map((e) => [e.data.operation, e.data.errorCode, e.data.count])).toEqual([
      ['Encrypt', 'DisabledException', 1],
    ]);
    const last = await h.kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
    expect(last.KeyLastUsage!.Operation).toBe('Encrypt');
  });

  it('chains usage events like every other event', async () => {
    const store = h.app.get<EventStore>(EVENT_STORE);
    const events = await store.readStream(usageStream(keyId));
    expect(events.length).toBeGreaterThan(1);
    let previous: string | null = null;
    for (const event of events) {
      const metadata = event.metadata as Record<string, unknown>;
      expect(integrityOf(metadata)).toEqual({
        previousHash: previous,
        hash: eventHash({ ...event, metadata: withoutIntegrity(metadata) }, previous),
      });
      previous = integrityOf(metadata)!.hash;
    }
  });

  it('rebuilds the last use from the ledger after a restart, and flushes at shutdown', async () => {
    const before = await h.kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
    await h.stop();
    h = await startKeyledger({ dataDir: h.dataDir, clock: h.clock, env: { KEYLEDGER_USAGE_FLUSH_MS: '0' } });
    const after = await h.kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
    expect(after.KeyLastUsage).toEqual(before.KeyLastUsage);
  });
});
