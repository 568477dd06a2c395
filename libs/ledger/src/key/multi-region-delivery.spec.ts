import { describe, expect, it } from 'vitest';
import type { KeyEvent } from './key-events.js';
import { evolveKey, type KeyAggregate } from './key-state.js';
import { decideKey } from './key-decider.js';
import { backingKeysToDeliver, replicaLacksBackingKeys } from './multi-region-state.js';
import { CREATED_AT, given, materialArrived, materialId, memberCreated } from '../testing/key-fixtures.js';

// Which of a primary's backing keys a replica is owed: what delivery copies, and what the repair of a
// delivery cut short looks for.

const keyWith = (origin: 'AWS_KMS' | 'EXTERNAL', ...more: KeyEvent[]): KeyAggregate =>
  given(memberCreated('us-east-1', 'us-east-1', { origin }), ...more);
const generated = (n: number): KeyEvent => ({
  type: 'KeyMaterialGenerated',
  data: { keyMaterialId: materialId(n), sealedMaterial: 's', shredKeyId: `p/${n}`, generatedAt: CREATED_AT },
});

describe('the backing keys a replica is owed', () => {
  const primary = keyWith('AWS_KMS', generated(1), generated(2));

  it('every generated backing key the replica does not hold, in the order the primary made them', () => {
    expect(backingKeysToDeliver(primary, new Set()).map((b) => b.keyMaterialId)).toEqual([
      materialId(1),
      materialId(2),
    ]);
    expect(backingKeysToDeliver(primary, new Set([materialId(1)])).map((b) => b.keyMaterialId)).toEqual([
      materialId(2),
    ]);
    expect(backingKeysToDeliver(primary, new Set([materialId(1), materialId(2)]))).toEqual([]);
  });

  it('not material that can no longer be opened, nor imported material (each replica imports its own)', () => {
    const deleted = evolveKey(primary, {
      type: 'KeyDeleted',
      data: { deletedAt: CREATED_AT, destroyedShredKeyIds: [] },
    });
    expect(backingKeysToDeliver(deleted, new Set())).toEqual([]);
    const imported = keyWith('EXTERNAL', {
      type: 'KeyMaterialImported',
      data: {
        keyMaterialId: materialId(3),
        importTokenId: 't',
        sealedMaterial: 's',
        shredKeyId: 'p/3',
        expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        validTo: null,
        importedAt: CREATED_AT,
      },
    } as KeyEvent);
    expect(imported.backingKeys).toHaveLength(1);
    expect(backingKeysToDeliver(imported, new Set())).toEqual([]);
  });

  it('a live replica short of one lacks backing keys; a complete or a deleted one does not', () => {
    const short = keyWith('AWS_KMS', materialArrived(1));
    expect(replicaLacksBackingKeys(primary, short)).toBe(true);
    const complete = keyWith('AWS_KMS', materialArrived(1), materialArrived(2));
    expect(replicaLacksBackingKeys(primary, complete)).toBe(false);
    const gone = evolveKey(short, { type: 'KeyDeleted', data: { deletedAt: CREATED_AT, destroyedShredKeyIds: [] } });
    expect(replicaLacksBackingKeys(primary, gone)).toBe(false);
  });
});

describe('a replica made while its primary did not record it (ReplicateKey cut short)', () => {
  const record = (replicaRegion: string) =>
    ({ type: 'RecordReplica', replicaRegion, now: new Date(CREATED_AT) }) as const;
  const primary = keyWith('AWS_KMS', generated(1));

  it('given a primary not listing it, RecordReplica lists it, even on a primary pending deletion', () => {
    expect(decideKey(record('eu-west-1'), primary)).toEqual([
      { type: 'KeyReplicated', data: { replicaRegion: 'eu-west-1', replicatedAt: CREATED_AT } },
    ]);
    const pending = evolveKey(primary, {
      type: 'KeyDeletionScheduled',
      data: { deletionDate: CREATED_AT, pendingWindowInDays: 7 },
    });
    expect(decideKey(record('eu-west-1'), pending)).toHaveLength(1);
  });

  it('records nothing where it is listed already, for its own region, on a replica or a deleted primary', () => {
    const listed = (decideKey(record('eu-west-1'), primary) as KeyEvent[]).reduce(evolveKey, primary);
    expect(decideKey(record('eu-west-1'), listed)).toEqual([]);
    expect(decideKey(record('us-east-1'), primary)).toEqual([]);
    const replica = { ...primary, region: 'eu-west-1' };
    expect(decideKey(record('ap-south-1'), replica)).toEqual([]);
    const deleted = evolveKey(primary, {
      type: 'KeyDeleted',
      data: { deletedAt: CREATED_AT, destroyedShredKeyIds: [] },
    });
    expect(decideKey(record('eu-west-1'), deleted)).toEqual([]);
  });
});
