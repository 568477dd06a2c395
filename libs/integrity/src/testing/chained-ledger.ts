// Test support for the integrity specs: a ledger written as the server writes it, and the events it holds.
import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject } from '@keyledger/event-store';
import { integrityOf, withIntegrity, type Actor } from '@keyledger/ledger';

/** Appends events chained exactly as the server's repository does. */
export class ChainedWriter {
  private readonly heads = new Map<string, { revision: bigint; hash: string }>();

  constructor(
    private readonly store: EventStore,
    private readonly actor: Actor = {
      principal: 'arn:aws:iam::111122223333:user/admin',
      accessKeyId: 'AKIATEST',
      sourceAddress: '127.0.0.1',
    },
  ) {}

  async append(
    streamName: string,
    events: Array<{ type: string; data: Record<string, unknown> }>,
    time: Date | string,
  ): Promise<bigint> {
    const head = this.heads.get(streamName);
    let revision = head ? head.revision + 1n : 0n;
    let previousHash: string | null = head ? head.hash : null;
    const metadata = { actor: this.actor, requestId: randomUUID(), time: new Date(time).toISOString() };
    const toAppend = events.map((event) => {
      const chained = withIntegrity(
        { streamName, revision, type: event.type, data: event.data, metadata },
        previousHash,
      );
      previousHash = integrityOf(chained)!.hash;
      this.heads.set(streamName, { revision, hash: previousHash });
      revision++;
      return { type: event.type, data: event.data as JsonObject, metadata: chained as JsonObject };
    });
    const result = await this.store.appendToStream(streamName, toAppend);
    return result.position;
  }
}

export const KEY_A = '11111111-2222-4333-8444-555555555555';
export const KEY_B = '66666666-7777-4888-9999-aaaaaaaaaaaa';
export const MAT_1 = 'a'.repeat(64);
export const MAT_2 = 'b'.repeat(64);
export const ARN = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;
export const T0 = Date.parse('2025-01-01T00:00:00.000Z');
export const at = (days: number) => new Date(T0 + days * 86_400_000);

export const created = (keyId: string, days: number) => ({
  type: 'KeyCreated',
  data: {
    keyId,
    arn: ARN(keyId),
    accountId: '111122223333',
    region: 'us-east-1',
    description: 'd',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    tags: [],
    createdAt: at(days).toISOString(),
  },
});
export const generated = (keyMaterialId: string, days: number) => ({
  type: 'KeyMaterialGenerated',
  data: {
    keyMaterialId,
    sealedMaterial: 'SEALED-SECRET',
    shredKeyId: `x/${keyMaterialId}`,
    generatedAt: at(days).toISOString(),
  },
});
export const rotated = (keyMaterialId: string, previous: string, days: number) => ({
  type: 'KeyRotated',
  data: {
    keyMaterialId,
    previousKeyMaterialId: previous,
    rotationType: 'ON_DEMAND',
    rotatedAt: at(days).toISOString(),
  },
});
