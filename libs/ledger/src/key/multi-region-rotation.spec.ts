import { describe, expect, it } from 'vitest';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';
import type { KeyEvent } from './key-events.js';
import { rotationHolderOf } from './multi-region-state.js';

// A multi-Region key's rotation is managed on its primary and shared (AWS): a replica is judged by it.

const KEY_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const T0 = '2026-01-01T00:00:00.000Z';
const keyIn = (region: string, primaryRegion: string | null, ...more: KeyEvent[]): KeyAggregate =>
  [
    {
      type: 'KeyCreated',
      data: {
        keyId: primaryRegion === null ? '11111111-2222-4333-8444-555555555555' : KEY_ID,
        arn: `arn:aws:kms:${region}:111122223333:key/${KEY_ID}`,
        accountId: '111122223333',
        region,
        description: '',
        keyUsage: 'ENCRYPT_DECRYPT',
        keySpec: 'SYMMETRIC_DEFAULT',
        origin: 'AWS_KMS',
        tags: [],
        createdAt: T0,
        ...(primaryRegion === null ? {} : { multiRegion: { primaryRegion } }),
      },
    } as KeyEvent,
    ...more,
  ].reduce(evolveKey, initialKeyState());
const rotationOn: KeyEvent = {
  type: 'KeyRotationEnabled',
  data: { rotationPeriodInDays: 90, nextRotationDate: '2026-04-01T00:00:00.000Z' },
};

describe("a multi-Region key's rotation is its primary's", () => {
  const primary = keyIn('us-east-1', 'us-east-1', rotationOn);
  const replica = keyIn('eu-west-1', 'us-east-1');
  const members =
    (...keys: KeyAggregate[]) =>
    (region: string) =>
      keys.find((k) => k.region === region);

  it('a replica is judged by its primary, found in the primary region', () => {
    expect(replica.rotationEnabled).toBe(false);
    const holder = rotationHolderOf(replica, members(primary, replica));
    expect(holder).toBe(primary);
    expect(holder.rotationEnabled).toBe(true);
  });

  it('a primary and a single-Region key are judged by themselves, whatever else is there', () => {
    expect(rotationHolderOf(primary, members(replica))).toBe(primary);
    const single = keyIn('eu-west-1', null);
    expect(rotationHolderOf(single, members(primary))).toBe(single);
  });

  it('a replica whose primary is not there (not yet, deleted, another key) is judged by itself', () => {
    expect(rotationHolderOf(replica, members(replica))).toBe(replica);
    const deleted = evolveKey(primary, { type: 'KeyDeleted', data: { deletedAt: T0, destroyedShredKeyIds: [] } });
    expect(rotationHolderOf(replica, members(deleted))).toBe(replica);
    const other = { ...primary, keyId: 'mrk-00000000000000000000000000000000' };
    expect(rotationHolderOf(replica, members(other))).toBe(replica);
    const notCreated = { ...initialKeyState(), keyId: KEY_ID, region: 'us-east-1' };
    expect(rotationHolderOf(replica, members(notCreated))).toBe(replica);
  });
});
