import { describe, expect, it } from 'vitest';
import type { ReplicaBackingKey, ReplicationMember } from '../types.js';
import { primaryOf, replicaGaps } from './replica-gaps.js';

const held = (keyMaterialId: string, current = false, hasMaterial = true): ReplicaBackingKey => ({
  keyMaterialId,
  heldSince: '2026-01-01T00:00:00.000Z',
  state: current ? 'CURRENT' : 'NON_CURRENT',
  current,
  hasMaterial,
});

const member = (region: string, backingKeys: ReplicaBackingKey[], primary = false): ReplicationMember => ({
  region,
  arn: `arn:aws:kms:${region}:111122223333:key/mrk-1`,
  multiRegionKeyType: primary ? 'PRIMARY' : 'REPLICA',
  keyState: 'Enabled',
  createdAt: '2026-01-01T00:00:00.000Z',
  deletedAt: null,
  backingKeys,
});

const primary = member('us-east-1', [held('m1'), held('m2', true)], true);

describe('replicaGaps: what a replica lacks against its primary', () => {
  it('finds nothing missing in a replica that holds every backing key, with the same current one', () => {
    expect(replicaGaps(primary, member('eu-west-1', [held('m1'), held('m2', true)]))).toEqual([]);
  });

  it('the primary against itself lacks nothing', () => {
    expect(replicaGaps(primary, primary)).toEqual([]);
  });

  it('names a backing key that never arrived, and the current one the replica does not use', () => {
    expect(replicaGaps(primary, member('eu-west-1', [held('m1', true)]))).toEqual([
      { kind: 'not-held', keyMaterialId: 'm2' },
      { kind: 'current-differs', keyMaterialId: 'm2', here: 'm1' },
    ]);
  });

  it('names a backing key held whose material is destroyed here, but not one destroyed on the primary too', () => {
    const both = member('us-east-1', [held('m0', false, false), held('m1'), held('m2', true)], true);
    const replica = member('eu-west-1', [held('m0', false, false), held('m1', false, false), held('m2', true)]);
    expect(replicaGaps(both, replica)).toEqual([{ kind: 'material-gone', keyMaterialId: 'm1' }]);
  });

  it('says a replica with no current backing key has none', () => {
    expect(replicaGaps(primary, member('eu-west-1', [held('m1'), held('m2')]))).toEqual([
      { kind: 'current-differs', keyMaterialId: 'm2', here: null },
    ]);
  });

  it('finds the primary by its region, none when the answer has no member there', () => {
    const replica = member('eu-west-1', []);
    expect(primaryOf([primary, replica], 'us-east-1')).toBe(primary);
    expect(primaryOf([replica], 'us-east-1')).toBeNull();
  });
});
