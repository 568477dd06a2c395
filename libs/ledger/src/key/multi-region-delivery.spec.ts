import { describe, expect, it } from 'vitest';
import type { KeyEvent } from './key-events.js';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';
import { decideKey } from './key-decider.js';
import { backingKeysToDeliver, replicaLacksBackingKeys } from './multi-region-state.js';

// Which of a primary's backing keys a replica is owed: what delivery copies, and what the repair of a
// delivery cut short looks for.

const T0 = '2026-01-01T00:00:00.000Z';
const id = (n: number) => String(n).padStart(64, '0');
const keyWith = (origin: 'AWS_KMS' | 'EXTERNAL', ...more: KeyEvent[]): KeyAggregate =>
  [
    {
      type: 'KeyCreated',
      data: {
        keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab',
        arn: 'arn',
        accountId: '111122223333',
        region: 'us-east-1',
        description: '',
        keyUsage: 'ENCRYPT_DECRYPT',
        keySpec: 'SYMMETRIC_DEFAULT',
        origin,
        tags: [],
        createdAt: T0,
        multiRegion: { primaryRegion: 'us-east-1' },
      },
    } as KeyEvent,
    ...more,
  ].reduce(evolveKey, initialKeyState());
const generated = (n: number): KeyEvent => ({
  type: 'KeyMaterialGenerated',
  data: { keyMaterialId: id(n), sealedMaterial: 's', shredKeyId: `p/${n}`, generatedAt: T0 },
});
const arrived = (n: number): KeyEvent => ({
  type: 'KeyMaterialArrived',
  data: {
    keyMaterialId: id(n),
    sealedMaterial: 's',
    shredKeyId: `r/${n}`,
    fromRegion: 'us-east-1',
    current: true,
    rotationDate: null,
    rotationType: null,
    arrivedAt: T0,
  },
});

describe('the backing keys a replica is owed', () => {
  const primary = keyWith('AWS_KMS', generated(1), generated(2));

  it('every generated backing key the replica does not hold, in the order the primary made them', () => {
    expect(backingKeysToDeliver(primary, new Set()).map((b) => b.keyMaterialId)).toEqual([id(1), id(2)]);
    expect(backingKeysToDeliver(primary, new Set([id(1)])).map((b) => b.keyMaterialId)).toEqual([id(2)]);
    expect(backingKeysToDeliver(primary, new Set([id(1), id(2)]))).toEqual([]);
  });

  it('not material that can no longer be opened, nor imported material (each replica imports its own)', () => {
    const deleted = evolveKey(primary, { type: 'KeyDeleted', data: { deletedAt: T0, destroyedShredKeyIds: [] } });
    expect(backingKeysToDeliver(deleted, new Set())).toEqual([]);
    const imported = keyWith('EXTERNAL', {
      type: 'KeyMaterialImported',
      data: {
        keyMaterialId: id(3),
        importTokenId: 't',
        sealedMaterial: 's',
        shredKeyId: 'p/3',
        expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        validTo: null,
        importedAt: T0,
      },
    } as KeyEvent);
    expect(imported.backingKeys).toHaveLength(1);
    expect(backingKeysToDeliver(imported, new Set())).toEqual([]);
  });

  it('a live replica short of one lacks backing keys; a complete or a deleted one does not', () => {
    const short = keyWith('AWS_KMS', arrived(1));
    expect(replicaLacksBackingKeys(primary, short)).toBe(true);
    const complete = keyWith('AWS_KMS', arrived(1), arrived(2));
    expect(replicaLacksBackingKeys(primary, complete)).toBe(false);
    const gone = evolveKey(short, { type: 'KeyDeleted', data: { deletedAt: T0, destroyedShredKeyIds: [] } });
    expect(replicaLacksBackingKeys(primary, gone)).toBe(false);
  });
});

describe('a replica made while its primary did not record it (ReplicateKey cut short)', () => {
  const record = (replicaRegion: string) => ({ type: 'RecordReplica', replicaRegion, now: new Date(T0) }) as const;
  const primary = keyWith('AWS_KMS', generated(1));

  it('given a primary not listing it, RecordReplica lists it, even on a primary pending deletion', () => {
    expect(decideKey(record('eu-west-1'), primary)).toEqual([
      { type: 'KeyReplicated', data: { replicaRegion: 'eu-west-1', replicatedAt: T0 } },
    ]);
    const pending = evolveKey(primary, {
      type: 'KeyDeletionScheduled',
      data: { deletionDate: T0, pendingWindowInDays: 7 },
    });
    expect(decideKey(record('eu-west-1'), pending)).toHaveLength(1);
  });

  it('records nothing where it is listed already, for its own region, on a replica or a deleted primary', () => {
    const listed = (decideKey(record('eu-west-1'), primary) as KeyEvent[]).reduce(evolveKey, primary);
    expect(decideKey(record('eu-west-1'), listed)).toEqual([]);
    expect(decideKey(record('us-east-1'), primary)).toEqual([]);
    const replica = { ...primary, region: 'eu-west-1' };
    expect(decideKey(record('ap-south-1'), replica)).toEqual([]);
    const deleted = evolveKey(primary, { type: 'KeyDeleted', data: { deletedAt: T0, destroyedShredKeyIds: [] } });
    expect(decideKey(record('eu-west-1'), deleted)).toEqual([]);
  });
});
