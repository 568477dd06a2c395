import { describe, expect, it } from 'vitest';
import { decryptRefusal, decryptRefusalError, type DecryptRefusal } from './decrypt-refusal.js';
import type { KeyEvent } from './key-events.js';
import { type KeyAggregate } from './key-state.js';
import { backingKeyForDecrypt } from './key-usage.js';
import { KEY_ARN as ARN, given, keyCreated } from '../testing/key-fixtures.js';

const MAT_1 = '1'.repeat(64);
const MAT_2 = '2'.repeat(64);
const AT = '2026-01-01T00:00:00.000Z';

const generated = (id: string): KeyEvent => ({
  type: 'KeyMaterialGenerated',
  data: { keyMaterialId: id, sealedMaterial: 's', shredKeyId: `shred-${id}`, generatedAt: AT },
});
const imported = (id: string): KeyEvent => ({
  type: 'KeyMaterialImported',
  data: {
    keyMaterialId: id,
    sealedMaterial: 's',
    shredKeyId: `shred-${id}`,
    importTokenId: 't',
    importType: 'NEW_KEY_MATERIAL',
    expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    validTo: null,
    keyMaterialDescription: null,
    importedAt: AT,
  },
});
const materialDeleted = (id: string): KeyEvent => ({
  type: 'KeyMaterialDeleted',
  data: { keyMaterialId: id, destroyedShredKeyIds: [`shred-${id}`], deletedAt: AT },
});
const disabled: KeyEvent = { type: 'KeyDisabled', data: {} };
const deletionScheduled: KeyEvent = {
  type: 'KeyDeletionScheduled',
  data: { deletionDate: '2026-02-01T00:00:00.000Z', pendingWindowInDays: 30 },
};
const deleted: KeyEvent = { type: 'KeyDeleted', data: { deletedAt: AT, destroyedShredKeyIds: [] } };
const awsKey = [keyCreated('AWS_KMS'), generated(MAT_1)];

describe('decryptRefusal: why a ciphertext cannot be decrypted, most fundamental cause first', () => {
  const cases: Array<[string, KeyAggregate | undefined, string, DecryptRefusal | undefined]> = [
    ['no key at all', undefined, MAT_1, 'KEY_NOT_CREATED'],
    ['a stream without KeyCreated', given(), MAT_1, 'KEY_NOT_CREATED'],
    ['a deleted key', given(...awsKey, deletionScheduled, deleted), MAT_1, 'KEY_DELETED'],
    ['material the key never had', given(...awsKey), MAT_2, 'KEY_MATERIAL_NOT_CREATED'],
    ['material the key never had, key disabled', given(...awsKey, disabled), MAT_2, 'KEY_MATERIAL_NOT_CREATED'],
    ['a key pending deletion', given(...awsKey, deletionScheduled), MAT_1, 'KEY_PENDING_DELETION'],
    [
      'an EXTERNAL key pending import',
      given(keyCreated('EXTERNAL'), imported(MAT_1), materialDeleted(MAT_1)),
      MAT_1,
      'KEY_MATERIAL_NOT_IMPORTED',
    ],
    [
      'deleted imported material of a disabled key',
      given(keyCreated('EXTERNAL'), imported(MAT_1), disabled, materialDeleted(MAT_1)),
      MAT_1,
      'KEY_MATERIAL_NOT_IMPORTED',
    ],
    [
      'live non-current material of a key whose current material was deleted',
      given(keyCreated('EXTERNAL'), imported(MAT_1), imported(MAT_2), materialDeleted(MAT_1)),
      MAT_2,
      'KEY_MATERIAL_NOT_IMPORTED',
    ],
    ['a disabled key', given(...awsKey, disabled), MAT_1, 'KEY_DISABLED'],
    ['an enabled key and its material', given(...awsKey), MAT_1, undefined],
    ['an EXTERNAL key with its material', given(keyCreated('EXTERNAL'), imported(MAT_1)), MAT_1, undefined],
  ];
  for (const [situation, key, material, refusal] of cases)
    it(`given ${situation}, when asked, then ${refusal ?? 'nothing refuses'}`, () => {
      expect(decryptRefusal(key, material)).toBe(refusal);
    });
});

describe('Decrypt answers each refusal with AWS exception and text', () => {
  it('given a key never created or material it never had, then InvalidCiphertext with no message', () => {
    expect(backingKeyForDecrypt(undefined, MAT_1)).toMatchObject({ code: 'InvalidCiphertext', message: '' });
    expect(backingKeyForDecrypt(given(...awsKey, disabled), MAT_2)).toMatchObject({
      code: 'InvalidCiphertext',
      message: '',
    });
  });

  it('given a deleted key, then NotFound naming the ARN', () => {
    expect(backingKeyForDecrypt(given(...awsKey, deletionScheduled, deleted), MAT_1)).toMatchObject({
      code: 'NotFound',
      message: `Key '${ARN}' does not exist`,
    });
  });

  it('given a key pending deletion, then InvalidState "pending deletion"', () => {
    expect(backingKeyForDecrypt(given(...awsKey, deletionScheduled), MAT_1)).toMatchObject({
      code: 'InvalidState',
      message: `${ARN} is pending deletion.`,
    });
  });

  it('given a key pending import, then InvalidState "pending import"', () => {
    const key = given(keyCreated('EXTERNAL'), imported(MAT_1), materialDeleted(MAT_1));
    expect(backingKeyForDecrypt(key, MAT_1)).toMatchObject({
      code: 'InvalidState',
      message: `${ARN} is pending import.`,
    });
  });

  it('given deleted non-current material of a usable key, then InvalidState naming the material', () => {
    const key = given(keyCreated('EXTERNAL'), imported(MAT_1), imported(MAT_2), materialDeleted(MAT_2));
    expect(backingKeyForDecrypt(key, MAT_2)).toMatchObject({
      code: 'InvalidState',
      message: `The key material ${MAT_2} of ${ARN} is not imported.`,
    });
  });

  it('given a disabled key, then Disabled', () => {
    expect(backingKeyForDecrypt(given(...awsKey, disabled), MAT_1)).toMatchObject({
      code: 'Disabled',
      message: `${ARN} is disabled.`,
    });
  });

  it('given an enabled key, then the backing key to open', () => {
    expect(backingKeyForDecrypt(given(...awsKey), MAT_1)).toMatchObject({ keyMaterialId: MAT_1, hasMaterial: true });
    expect(decryptRefusalError('KEY_DISABLED', given(...awsKey), MAT_1).code).toBe('Disabled');
  });
});
