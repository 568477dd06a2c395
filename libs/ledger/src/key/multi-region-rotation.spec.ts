import { describe, expect, it } from 'vitest';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';
import type { KeyEvent } from './key-events.js';
import { rotationHolderOf } from './multi-region-state.js';
import { CREATED_AT, given, memberCreated, MRK_ID } from '../testing/key-fixtures.js';

// A multi-Region key's rotation is managed on its primary and shared (AWS): a replica is judged by it.

const keyIn = (region: string, primaryRegion: string | null, ...more: KeyEvent[]): KeyAggregate =>
  given(memberCreated(region, primaryRegion), ...more);
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
    const deleted = evolveKey(primary, {
      type: 'KeyDeleted',
      data: { deletedAt: CREATED_AT, destroyedShredKeyIds: [] },
    });
    expect(rotationHolderOf(replica, members(deleted))).toBe(replica);
    const other = { ...primary, keyId: 'mrk-00000000000000000000000000000000' };
    expect(rotationHolderOf(replica, members(other))).toBe(replica);
    const notCreated = { ...initialKeyState(), keyId: MRK_ID, region: 'us-east-1' };
    expect(rotationHolderOf(replica, members(notCreated))).toBe(replica);
  });
});
