import { describe, expect, it } from 'vitest';
import { KEY_ACCESS_EVENT_TYPES, type KeyAccessEvent } from './key-access-events.js';
import { evolveKeyAccess, initialKeyAccess } from './key-access-state.js';
import { KEY_EVENT_TYPES, type KeyEvent } from './key-events.js';
import { evolveKey, findBackingKey, initialKeyState, keyStateOf } from './key-state.js';
import { given, keyCreated } from '../testing/key-fixtures.js';

// The folds, event by event: given recorded events, then the state the rules read. The deciders' specs reach most
// of it through decisions; these pin what no decision showed (a fold must replay any recorded history as it was).
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const id = (n: number) => String(n).padStart(64, '0');

const created = (origin: 'AWS_KMS' | 'EXTERNAL' = 'AWS_KMS'): KeyEvent =>
  keyCreated(origin, { tags: [{ TagKey: 'team', TagValue: 'a' }] });
const generated = (n: number): KeyEvent => ({
  type: 'KeyMaterialGenerated',
  data: { keyMaterialId: id(n), sealedMaterial: 's', shredKeyId: `shred-${n}`, generatedAt: iso(T0 + n) },
});
const imported = (
  n: number,
  options: { shredKeyId?: string; validTo?: number | null; description?: string | null } = {},
): KeyEvent => ({
  type: 'KeyMaterialImported',
  data: {
    keyMaterialId: id(n),
    sealedMaterial: 's',
    shredKeyId: options.shredKeyId ?? `shred-${n}`,
    importTokenId: `token-${n}`,
    importType: 'NEW_KEY_MATERIAL',
    expirationModel: options.validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    validTo: options.validTo ? iso(options.validTo) : null,
    keyMaterialDescription: options.description ?? null,
    importedAt: iso(T0 + n),
  },
});
const rotated = (n: number, rotationType: 'AUTOMATIC' | 'ON_DEMAND', nextRotationDate?: string | null): KeyEvent => ({
  type: 'KeyRotated',
  data: {
    keyMaterialId: id(n),
    previousKeyMaterialId: null,
    rotationType,
    rotatedAt: iso(T0 + DAY),
    ...(nextRotationDate === undefined ? {} : { nextRotationDate }),
  },
});
const materialDeleted = (n: number): KeyEvent => ({
  type: 'KeyMaterialDeleted',
  data: { keyMaterialId: id(n), destroyedShredKeyIds: [`shred-${n}`], deletedAt: iso(T0 + DAY) },
});
const materialExpired = (n: number): KeyEvent => ({
  type: 'KeyMaterialExpired',
  data: { keyMaterialId: id(n), destroyedShredKeyIds: [`shred-${n}`], expiredAt: iso(T0 + DAY) },
});
const rotationEnabled: KeyEvent = {
  type: 'KeyRotationEnabled',
  data: { rotationPeriodInDays: 90, nextRotationDate: iso(T0 + 90 * DAY) },
};
const enabled: KeyEvent = { type: 'KeyEnabled', data: {} };
const disabled: KeyEvent = { type: 'KeyDisabled', data: {} };

describe('key fold: before any event', () => {
  it('given no events, then the key does not exist and has no identity, material, tags or settings', () => {
    expect(initialKeyState()).toEqual({
      exists: false,
      keyId: '',
      arn: '',
      region: '',
      origin: 'AWS_KMS',
      description: '',
      createdAt: 0,
      enabled: false,
      deleted: false,
      deletedAt: null,
      deletionDate: null,
      pendingWindowInDays: null,
      rotationEnabled: false,
      rotationPeriodInDays: null,
      nextRotationDate: null,
      onDemandRotations: 0,
      lastRotatedAt: null,
      currentKeyMaterialId: null,
      backingKeys: [],
      tags: [],
      importParameters: [],
      supersededShredKeyIds: [],
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      multiRegion: null,
      pendingReplicaDeletion: false,
    });
  });

  it('lists every event type the key stream records, lifecycle and access apart', () => {
    expect(KEY_EVENT_TYPES).toEqual([
      'KeyCreated',
      'KeyMaterialGenerated',
      'KeyRotated',
      'KeyRotationEnabled',
      'KeyRotationDisabled',
      'KeyEnabled',
      'KeyDisabled',
      'KeyDescriptionUpdated',
      'KeyTagsAdded',
      'KeyTagsRemoved',
      'KeyDeletionScheduled',
      'KeyDeletionCanceled',
      'KeyDeleted',
      'KeyImportParametersIssued',
      'KeyMaterialImported',
      'KeyMaterialDeleted',
      'KeyMaterialExpired',
      'KeyImportParametersExpired',
      'OrphanShredKeysDestroyed',
      'KeyReplicated',
      'KeyMaterialArrived',
      'KeyPrimaryRegionUpdated',
      'KeyReplicaDeleted',
      'KeyDeletionAwaitingReplicas',
    ]);
    expect(KEY_ACCESS_EVENT_TYPES).toEqual(['KeyPolicyChanged', 'GrantCreated', 'GrantRetired', 'GrantRevoked']);
  });
});

describe('key fold: lifecycle events', () => {
  it('given generated material, then it is AWS_KMS material', () => {
    expect(findBackingKey(given(created(), generated(1)), id(1))?.origin).toBe('AWS_KMS');
  });

  it('given a disabled key, when KeyEnabled, then it is Enabled again', () => {
    const key = given(created(), generated(1), disabled, enabled);
    expect(key.enabled).toBe(true);
    expect(keyStateOf(key)).toBe('Enabled');
  });

  it('given rotation enabled, when disabled, then it is off and nothing is scheduled', () => {
    const key = given(created(), generated(1), rotationEnabled, { type: 'KeyRotationDisabled', data: {} });
    expect(key.rotationEnabled).toBe(false);
    expect(key.nextRotationDate).toBeNull();
  });

  it('when tags are added, then tags with other keys stay and a same key gets the new value', () => {
    const key = given(created(), {
      type: 'KeyTagsAdded',
      data: { tags: [{ TagKey: 'env', TagValue: 'prod' }] },
    });
    expect(key.tags).toEqual([
      { TagKey: 'team', TagValue: 'a' },
      { TagKey: 'env', TagValue: 'prod' },
    ]);
  });

  it('when deletion is scheduled, then the key is not enabled; when deleted, it stays not enabled', () => {
    const scheduled = given(created(), generated(1), {
      type: 'KeyDeletionScheduled',
      data: { deletionDate: iso(T0 + 7 * DAY), pendingWindowInDays: 7 },
    });
    expect(scheduled.enabled).toBe(false);
    const deleted = evolveKey(scheduled, {
      type: 'KeyDeleted',
      data: { deletedAt: iso(T0 + 7 * DAY), destroyedShredKeyIds: ['shred-1'] },
    });
    expect(deleted.enabled).toBe(false);
    expect(deleted.deleted).toBe(true);
  });

  it('when orphan shred keys are recorded destroyed, then the state is the same object', () => {
    const key = given(created(), generated(1));
    const after = evolveKey(key, {
      type: 'OrphanShredKeysDestroyed',
      data: { destroyedShredKeyIds: ['x'], destroyedAt: iso(T0) },
    });
    expect(after).toBe(key);
  });
});

describe('key fold: rotations and their next date', () => {
  const base = () => given(created(), generated(1), rotationEnabled, generated(2));

  it('an automatic rotation sets the next date it carries, or clears it with null', () => {
    expect(evolveKey(base(), rotated(2, 'AUTOMATIC', iso(T0 + 181 * DAY))).nextRotationDate).toBe(T0 + 181 * DAY);
    expect(evolveKey(base(), rotated(2, 'AUTOMATIC', null)).nextRotationDate).toBeNull();
  });

  it('an automatic rotation recorded without a next date, or an on-demand one with it, keeps the schedule', () => {
    expect(evolveKey(base(), rotated(2, 'AUTOMATIC')).nextRotationDate).toBe(T0 + 90 * DAY);
    expect(evolveKey(base(), rotated(2, 'ON_DEMAND', iso(T0 + 5 * DAY))).nextRotationDate).toBe(T0 + 90 * DAY);
  });

  it('given the current material was deleted, when a rotation is replayed, then it stays DELETED', () => {
    const key = given(created('EXTERNAL'), imported(1), imported(2), materialDeleted(1), rotated(2, 'ON_DEMAND'));
    expect(findBackingKey(key, id(1))?.state).toBe('DELETED');
    expect(findBackingKey(key, id(2))?.state).toBe('CURRENT');
  });
});

describe('key fold: imported material', () => {
  it('given material without expiry, then it has no ValidTo; with one, that instant', () => {
    expect(findBackingKey(given(created('EXTERNAL'), imported(1)), id(1))?.validTo).toBeNull();
    const expiring = given(created('EXTERNAL'), imported(1, { validTo: T0 + 30 * DAY }));
    expect(findBackingKey(expiring, id(1))?.validTo).toBe(T0 + 30 * DAY);
  });

  it('when the current material is deleted or expires, then the key is PendingImport and the material awaits import', () => {
    for (const gone of [materialDeleted(1), materialExpired(1)]) {
      const key = given(created('EXTERNAL'), imported(1), gone);
      expect(keyStateOf(key)).toBe('PendingImport');
      expect(key.enabled).toBe(false);
      expect(findBackingKey(key, id(1))).toMatchObject({ hasMaterial: false, importState: 'PENDING_IMPORT' });
    }
  });

  it('when non-current material expires, then the key stays enabled', () => {
    const key = given(created('EXTERNAL'), imported(1), imported(2), materialExpired(2));
    expect(key.enabled).toBe(true);
    expect(keyStateOf(key)).toBe('Enabled');
    expect(findBackingKey(key, id(2))?.state).toBe('EXPIRED');
  });

  it('when material is re-imported, then it takes back its place: current, pending rotation or non-current', () => {
    // 1 was current and is NON_CURRENT after the rotation to 3; 2 is still PENDING_ROTATION and live
    const key = given(
      created('EXTERNAL'),
      imported(1),
      imported(2),
      imported(3),
      rotated(3, 'ON_DEMAND'),
      materialDeleted(1),
      materialDeleted(3),
      imported(1, { shredKeyId: 'again-1' }),
      imported(2, { shredKeyId: 'again-2' }),
      imported(3, { shredKeyId: 'again-3' }),
    );
    expect([1, 2, 3].map((n) => findBackingKey(key, id(n))?.state)).toEqual([
      'NON_CURRENT',
      'PENDING_ROTATION',
      'CURRENT',
    ]);
    expect(keyStateOf(key)).toBe('Enabled');
  });

  it('given a disabled key, when non-current material is re-imported, then it stays disabled', () => {
    const key = given(created('EXTERNAL'), imported(1), imported(2), materialDeleted(2), disabled, imported(2));
    expect(keyStateOf(key)).toBe('Disabled');
  });

  it('a re-import keeps the earlier description unless it brings one, and supersedes only a different shred key', () => {
    const first = given(created('EXTERNAL'), imported(1, { description: 'first' }), materialDeleted(1));
    const same = evolveKey(first, imported(1));
    expect(findBackingKey(same, id(1))?.description).toBe('first');
    expect(same.supersededShredKeyIds).toEqual([]);
    const renamed = evolveKey(first, imported(1, { shredKeyId: 'new', description: 'second' }));
    expect(findBackingKey(renamed, id(1))?.description).toBe('second');
    expect(renamed.supersededShredKeyIds).toEqual(['shred-1']);
    expect(findBackingKey(given(created('EXTERNAL'), imported(1)), id(1))?.description).toBeNull();
  });
});

describe('access fold', () => {
  const grant = (grantId: string): KeyAccessEvent => ({
    type: 'GrantCreated',
    data: {
      grantId,
      name: null,
      granteePrincipal: 'arn:aws:iam::111122223333:user/bob',
      retiringPrincipal: null,
      operations: ['Decrypt'],
      constraints: null,
      issuingAccount: 'arn:aws:iam::111122223333:root',
      createdAt: iso(T0),
    },
  });
  const access = (...events: (KeyEvent | KeyAccessEvent)[]) => events.reduce(evolveKeyAccess, initialKeyAccess());

  it('given no events, then no key, no policy text, no grants', () => {
    const empty = initialKeyAccess();
    expect(empty).toMatchObject({
      exists: false,
      accountId: '',
      policyText: '',
      policyChangedAt: null,
      bypassedLockoutCheck: false,
      grants: [],
    });
  });

  it('when grants are retired and revoked, then each leaves and the others stay', () => {
    const state = access(created(), grant('g1'), grant('g2'), grant('g3'), {
      type: 'GrantRetired',
      data: { grantId: 'g1', retiredBy: 'bob', retiredAt: iso(T0) },
    });
    expect(state.grants.map((g) => g.grantId)).toEqual(['g2', 'g3']);
    const revoked = evolveKeyAccess(state, {
      type: 'GrantRevoked',
      data: { grantId: 'g3', revokedBy: 'alice', revokedAt: iso(T0) },
    });
    expect(revoked.grants.map((g) => g.grantId)).toEqual(['g2']);
  });

  it('a lifecycle event other than creation and deletion leaves access as it is', () => {
    const state = access(created(), grant('g1'));
    expect(evolveKeyAccess(state, disabled)).toBe(state);
  });

  it('a recorded key policy is compiled as a key policy; one that no longer parses allows nothing', () => {
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'kms:*', Resource: '*' }],
    });
    const changed = (policy: string): KeyAccessEvent => ({
      type: 'KeyPolicyChanged',
      data: { policyName: 'default', policy, bypassPolicyLockoutSafetyCheck: false, changedAt: iso(T0) },
    });
    expect(access(created(), changed(text)).policy.kind).toBe('key');
    expect(access(created(), changed('{not json')).policy).toEqual({
      kind: 'key',
      text: '{not json',
      document: { version: null, id: null, statements: [] },
      statements: [],
      delegatesAllTo: null,
    });
  });
});
