import { describe, expect, it } from 'vitest';
import { anythingDue, dueWork, nextDueAt } from './due-work.js';
import type { KeyEvent } from './key-events.js';
import { type KeyAggregate } from './key-state.js';
import { given, keyCreated } from '../testing/key-fixtures.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const MAT_1 = '1'.repeat(64);
const MAT_2 = '2'.repeat(64);

const generated: KeyEvent = {
  type: 'KeyMaterialGenerated',
  data: { keyMaterialId: MAT_1, sealedMaterial: 's', shredKeyId: 'shred-1', generatedAt: iso(T0) },
};
const imported = (id: string, validTo: number | null): KeyEvent => ({
  type: 'KeyMaterialImported',
  data: {
    keyMaterialId: id,
    sealedMaterial: 's',
    shredKeyId: `shred-${id}`,
    importTokenId: 't',
    importType: 'NEW_KEY_MATERIAL',
    expirationModel: validTo === null ? 'KEY_MATERIAL_DOES_NOT_EXPIRE' : 'KEY_MATERIAL_EXPIRES',
    validTo: validTo === null ? null : iso(validTo),
    keyMaterialDescription: null,
    importedAt: iso(T0),
  },
});
const rotationEnabled: KeyEvent = {
  type: 'KeyRotationEnabled',
  data: { rotationPeriodInDays: 90, nextRotationDate: iso(T0 + 90 * DAY) },
};
const deletionScheduled: KeyEvent = {
  type: 'KeyDeletionScheduled',
  data: { deletionDate: iso(T0 + 7 * DAY), pendingWindowInDays: 7 },
};
const disabled: KeyEvent = { type: 'KeyDisabled', data: {} };

describe('dueWork: what the clock has made due for a key', () => {
  it('given a fresh key, when asked at any time, then nothing is due', () => {
    expect(anythingDue(dueWork(given(keyCreated(), generated), T0 + 1000 * DAY))).toBe(false);
    expect(anythingDue(dueWork(given(), T0))).toBe(false);
  });

  it('given rotation every 90 days, when the day comes and not before, then rotation is due', () => {
    const key = given(keyCreated(), generated, rotationEnabled);
    expect(dueWork(key, T0 + 90 * DAY - 1).rotate).toBe(false);
    expect(dueWork(key, T0 + 90 * DAY)).toEqual({
      completeDeletion: false,
      expiringMaterial: [],
      expiringImportParameters: [],
      rotate: true,
    });
  });

  it('given rotation due on a disabled key, then it waits until the key is enabled again', () => {
    expect(dueWork(given(keyCreated(), generated, rotationEnabled, disabled), T0 + 91 * DAY).rotate).toBe(false);
  });

  it('given rotation then disabled rotation, then nothing is due', () => {
    const key = given(keyCreated(), generated, rotationEnabled, { type: 'KeyRotationDisabled', data: {} });
    expect(anythingDue(dueWork(key, T0 + 365 * DAY))).toBe(false);
  });

  it('given a deletion window, when it ends and not before, then deletion alone is due', () => {
    const key = given(keyCreated(), generated, rotationEnabled, deletionScheduled);
    expect(anythingDue(dueWork(key, T0 + 7 * DAY - 1))).toBe(false);
    expect(dueWork(key, T0 + 100 * DAY)).toEqual({
      completeDeletion: true,
      expiringMaterial: [],
      expiringImportParameters: [],
      rotate: false,
    });
  });

  it('given a deleted key, then nothing more is due', () => {
    const key = given(keyCreated(), generated, deletionScheduled, {
      type: 'KeyDeleted',
      data: { deletedAt: iso(T0 + 7 * DAY), destroyedShredKeyIds: [] },
    });
    expect(anythingDue(dueWork(key, T0 + 100 * DAY))).toBe(false);
  });

  it('given imported material with a ValidTo, when it passes and not before, then that material expires', () => {
    const key = given(keyCreated('EXTERNAL'), imported(MAT_1, T0 + 10 * DAY), imported(MAT_2, null));
    expect(dueWork(key, T0 + 10 * DAY - 1).expiringMaterial).toEqual([]);
    expect(dueWork(key, T0 + 10 * DAY).expiringMaterial.map((b) => b.keyMaterialId)).toEqual([MAT_1]);
    expect(anythingDue(dueWork(key, T0 + 10 * DAY))).toBe(true);
  });

  it('given expired material already recorded, then it is not due again', () => {
    const key = given(keyCreated('EXTERNAL'), imported(MAT_1, T0 + 10 * DAY), {
      type: 'KeyMaterialExpired',
      data: { keyMaterialId: MAT_1, destroyedShredKeyIds: ['shred-1'], expiredAt: iso(T0 + 10 * DAY) },
    });
    expect(dueWork(key, T0 + 11 * DAY).expiringMaterial).toEqual([]);
  });

  it('given a key pending deletion whose material reaches ValidTo first, then the material still expires', () => {
    const key = given(keyCreated('EXTERNAL'), imported(MAT_1, T0 + 3 * DAY), deletionScheduled);
    expect(dueWork(key, T0 + 3 * DAY)).toMatchObject({ completeDeletion: false, rotate: false });
    expect(dueWork(key, T0 + 3 * DAY).expiringMaterial).toHaveLength(1);
  });
});

describe('nextDueAt: when dueWork first finds something due', () => {
  const cases: Array<[string, KeyAggregate, number | null]> = [
    ['a fresh key without rotation', given(keyCreated(), generated), null],
    ['a key that does not exist', given(), null],
    ['a rotating key: its next rotation', given(keyCreated(), generated, rotationEnabled), T0 + 90 * DAY],
    ['a rotating key, disabled: never, until enabled', given(keyCreated(), generated, rotationEnabled, disabled), null],
    [
      'a rotating key pending deletion: its deletion date, before the rotation',
      given(keyCreated(), generated, rotationEnabled, deletionScheduled),
      T0 + 7 * DAY,
    ],
    [
      'expiring imported material: its ValidTo',
      given(keyCreated('EXTERNAL'), imported(MAT_1, T0 + 3 * DAY)),
      T0 + 3 * DAY,
    ],
    ['imported material that does not expire', given(keyCreated('EXTERNAL'), imported(MAT_1, null)), null],
    [
      'the earliest of two: the deletion before the material expires',
      given(keyCreated('EXTERNAL'), imported(MAT_2, T0 + 30 * DAY), deletionScheduled),
      T0 + 7 * DAY,
    ],
  ];
  it.each(cases)('given %s', (_, key, expected) => {
    expect(nextDueAt(key)).toBe(expected);
  });

  it.each(cases.filter(([, , at]) => at !== null))(
    'given %s, dueWork finds it due at that instant, not before',
    (_, key, at) => {
      expect(anythingDue(dueWork(key, at!))).toBe(true);
      expect(anythingDue(dueWork(key, at! - 1))).toBe(false);
    },
  );

  it('given the work was done (the key deleted), nothing more is due', () => {
    const deleted = given(keyCreated(), generated, deletionScheduled, {
      type: 'KeyDeleted',
      data: { deletedAt: iso(T0 + 7 * DAY), destroyedShredKeyIds: ['shred-1'] },
    });
    expect(nextDueAt(deleted)).toBe(null);
  });
});

describe('dueWork and nextDueAt: import parameters, spent material, rotation without a date', () => {
  const issued: KeyEvent = {
    type: 'KeyImportParametersIssued',
    data: {
      importTokenId: 'token-1',
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      wrappingKeySpec: 'RSA_2048',
      sealedPrivateKey: 'sealed',
      shredKeyId: 'wrapping-1',
      publicKeySha256: 'x',
      issuedAt: iso(T0),
      validTo: iso(T0 + DAY),
    },
  };
  const parametersExpired: KeyEvent = {
    type: 'KeyImportParametersExpired',
    data: { importTokenId: 'token-1', destroyedShredKeyIds: ['wrapping-1'], expiredAt: iso(T0 + DAY) },
  };

  it('given unused import parameters, when their ValidTo comes, then their expiry is due, and then no more', () => {
    const key = given(keyCreated('EXTERNAL'), issued);
    expect(nextDueAt(key)).toBe(T0 + DAY);
    expect(anythingDue(dueWork(key, T0 + DAY))).toBe(true);
    expect(dueWork(key, T0 + DAY).expiringImportParameters.map((p) => p.importTokenId)).toEqual(['token-1']);
    expect(anythingDue(dueWork(key, T0 + DAY - 1))).toBe(false);
    const spent = given(keyCreated('EXTERNAL'), issued, parametersExpired);
    expect(nextDueAt(spent)).toBeNull();
  });

  it('given material recorded expired, then its past ValidTo is not due again', () => {
    const key = given(keyCreated('EXTERNAL'), imported(MAT_1, T0 + DAY), {
      type: 'KeyMaterialExpired',
      data: { keyMaterialId: MAT_1, destroyedShredKeyIds: ['shred-1'], expiredAt: iso(T0 + DAY) },
    });
    expect(nextDueAt(key)).toBeNull();
  });

  it('given material that never expires and a deletion window, then the deletion is next', () => {
    expect(nextDueAt(given(keyCreated('EXTERNAL'), imported(MAT_1, null), deletionScheduled))).toBe(T0 + 7 * DAY);
  });

  it('given material expiring before the deletion window ends, then the expiry is next', () => {
    expect(nextDueAt(given(keyCreated('EXTERNAL'), imported(MAT_1, T0 + 3 * DAY), deletionScheduled))).toBe(
      T0 + 3 * DAY,
    );
  });

  it('given rotation on but its next date cleared by the last automatic rotation, then no rotation is due', () => {
    const key = given(keyCreated(), generated, rotationEnabled, {
      type: 'KeyRotated',
      data: {
        keyMaterialId: MAT_1,
        previousKeyMaterialId: null,
        rotationType: 'AUTOMATIC',
        rotatedAt: iso(T0 + 90 * DAY),
        nextRotationDate: null,
      },
    });
    expect(key.rotationEnabled).toBe(true);
    expect(dueWork(key, T0 + 1000 * DAY).rotate).toBe(false);
    expect(nextDueAt(key)).toBeNull();
  });
});
