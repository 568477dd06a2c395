import { describe, expect, it } from 'vitest';
import type { KeyEvent } from './key-events.js';
import { needsNewBackingKey } from './key-usage.js';
import { given, keyCreated } from '../testing/key-fixtures.js';

// needsNewBackingKey decides whether the handler makes fresh material before deciding: true exactly when the
// rotation it is about to ask for will record a KeyMaterialGenerated, so a refused rotation leaves no orphan.
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const generated: KeyEvent = {
  type: 'KeyMaterialGenerated',
  data: { keyMaterialId: '1'.repeat(64), sealedMaterial: 's', shredKeyId: 'shred-1', generatedAt: iso(T0) },
};
const imported: KeyEvent = {
  type: 'KeyMaterialImported',
  data: {
    keyMaterialId: '2'.repeat(64),
    sealedMaterial: 's',
    shredKeyId: 'shred-2',
    importTokenId: 't',
    importType: 'NEW_KEY_MATERIAL',
    expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    validTo: null,
    keyMaterialDescription: null,
    importedAt: iso(T0),
  },
};
const rotationEvery90Days: KeyEvent = {
  type: 'KeyRotationEnabled',
  data: { rotationPeriodInDays: 90, nextRotationDate: iso(T0 + 90 * DAY) },
};
const disabled: KeyEvent = { type: 'KeyDisabled', data: {} };

describe('needsNewBackingKey: fresh material only for a rotation that will record it', () => {
  it('given an enabled AWS_KMS key, when rotated on demand, then new material is needed; disabled, it is not', () => {
    expect(needsNewBackingKey('RotateKeyOnDemand', given(keyCreated('AWS_KMS'), generated), T0)).toBe(true);
    expect(needsNewBackingKey('RotateKeyOnDemand', given(keyCreated('AWS_KMS'), generated, disabled), T0)).toBe(false);
  });

  it('given an enabled key of imported material, when rotated on demand, then no material is generated for it', () => {
    const key = given(keyCreated('EXTERNAL'), imported);
    expect(key.enabled).toBe(true);
    expect(needsNewBackingKey('RotateKeyOnDemand', key, T0)).toBe(false);
  });

  it('given automatic rotation, when it is due and not a millisecond before, then new material is needed', () => {
    const key = given(keyCreated('AWS_KMS'), generated, rotationEvery90Days);
    expect(needsNewBackingKey('RotateKeyIfDue', key, T0 + 90 * DAY)).toBe(true);
    expect(needsNewBackingKey('RotateKeyIfDue', key, T0 + 90 * DAY - 1)).toBe(false);
  });

  it('given rotation due, when any other command comes, then no material is made', () => {
    const key = given(keyCreated('AWS_KMS'), generated, rotationEvery90Days);
    for (const type of ['EnableKey', 'DisableKey', 'ScheduleKeyDeletion', 'CompleteKeyDeletionIfDue'] as const)
      expect(needsNewBackingKey(type, key, T0 + 90 * DAY)).toBe(false);
  });
});
