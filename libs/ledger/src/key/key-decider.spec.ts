import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand, NewBackingKey } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import { evolveKey, initialKeyState, keyStateOf, type KeyAggregate } from './key-state.js';
import { backingKeyForDecrypt, backingKeyForEncrypt } from './key-usage.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);
const backing = (n: number): NewBackingKey => ({
  keyMaterialId: String(n).padStart(64, '0'),
  sealedMaterial: `sealed-${n}`,
  shredKeyId: `${KEY_ID}/${n}`,
});

const given = (...events: KeyEvent[]): KeyAggregate => events.reduce(evolveKey, initialKeyState());
const when = (state: KeyAggregate, command: KeyCommand) => decideKey(command, state);
const create = (origin: 'AWS_KMS' | 'EXTERNAL' = 'AWS_KMS'): KeyEvent[] => {
  const result = when(initialKeyState(), {
    type: 'CreateKey',
    keyId: KEY_ID,
    arn: ARN,
    accountId: '111122223333',
    region: 'us-east-1',
    description: 'test',
    origin,
    tags: [],
    backingKey: origin === 'AWS_KMS' ? backing(1) : undefined,
    now: T0,
  });
  if (result instanceof DomainError) throw result;
  return result;
};
const events = (decision: KeyEvent[] | DomainError): KeyEvent[] => {
  if (decision instanceof DomainError) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  return decision;
};
const refusal = <T>(decision: T | DomainError): DomainError => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return decision;
};

describe('key decider', () => {
  it('creates an AWS_KMS key with its first backing key current', () => {
    const created = create();
    expect(created.map((e) => e.type)).toEqual(['KeyCreated', 'KeyMaterialGenerated']);
    const state = given(...created);
    expect(keyStateOf(state)).toBe('Enabled');
    expect(state.currentKeyMaterialId).toBe(backing(1).keyMaterialId);
  });

  it('creates an EXTERNAL key pending import, with no material', () => {
    const state = given(...create('EXTERNAL'));
    expect(keyStateOf(state)).toBe('PendingImport');
    expect(state.enabled).toBe(false);
    expect(refusal(backingKeyForEncrypt(state)).message).toBe(`${ARN} is pending import.`);
  });

  it('refuses to create a key twice', () => {
    const state = given(...create());
    const again = when(state, {
      type: 'CreateKey',
      keyId: KEY_ID,
      arn: ARN,
      accountId: '111122223333',
      region: 'us-east-1',
      description: '',
      origin: 'AWS_KMS',
      tags: [],
      backingKey: backing(9),
      now: T0,
    });
    expect(refusal(again).code).toBe('AlreadyExists');
  });

  it('rotation on demand adds a backing key and keeps every older one usable for decrypt', () => {
    let state = given(...create());
    const rotated = events(
      when(state, { type: 'RotateKeyOnDemand', backingKey: backing(2), maxOnDemandRotations: 10, now: days(1) }),
    );
    expect(rotated.map((e) => e.type)).toEqual(['KeyMaterialGenerated', 'KeyRotated']);
    state = rotated.reduce(evolveKey, state);
    expect(state.currentKeyMaterialId).toBe(backing(2).keyMaterialId);
    expect(state.backingKeys.map((b) => b.state)).toEqual(['NON_CURRENT', 'CURRENT']);
    const old = backingKeyForDecrypt(state, backing(1).keyMaterialId);
    expect(old).not.toBeInstanceOf(DomainError);
    expect(backingKeyForEncrypt(state)).toMatchObject({ keyMaterialId: backing(2).keyMaterialId });
  });

  it('limits on-demand rotations per key', () => {
    let state = given(...create());
    for (let i = 2; i <= 3; i++)
      state = events(
        when(state, { type: 'RotateKeyOnDemand', backingKey: backing(i), maxOnDemandRotations: 2, now: days(i) }),
      ).reduce(evolveKey, state);
    expect(
      refusal(when(state, { type: 'RotateKeyOnDemand', backingKey: backing(4), maxOnDemandRotations: 2, now: days(4) }))
        .code,
    ).toBe('LimitExceeded');
  });

  it('disable then refuses encrypt, decrypt and rotation with DisabledException texts', () => {
    const state = given(...create(), { type: 'KeyDisabled', data: {} });
    expect(keyStateOf(state)).toBe('Disabled');
    expect(refusal(backingKeyForEncrypt(state))).toMatchObject({ code: 'Disabled', message: `${ARN} is disabled.` });
    expect(refusal(backingKeyForDecrypt(state, backing(1).keyMaterialId)).code).toBe('Disabled');
    expect(
      refusal(when(state, { type: 'RotateKeyOnDemand', backingKey: backing(2), maxOnDemandRotations: 10, now: T0 }))
        .code,
    ).toBe('Disabled');
  });

  it('enable and disable are idempotent and record nothing when nothing changes', () => {
    const state = given(...create());
    expect(events(when(state, { type: 'EnableKey', now: T0 }))).toEqual([]);
    expect(events(when(state, { type: 'DisableKey', now: T0 }))).toEqual([{ type: 'KeyDisabled', data: {} }]);
  });

  it('schedules deletion within 7 to 30 days and cancels back to Disabled', () => {
    const state = given(...create());
    expect(refusal(when(state, { type: 'ScheduleKeyDeletion', pendingWindowInDays: 6, now: T0 })).code).toBe(
      'Validation',
    );
    expect(refusal(when(state, { type: 'ScheduleKeyDeletion', pendingWindowInDays: 31, now: T0 })).code).toBe(
      'Validation',
    );
    const scheduled = events(when(state, { type: 'ScheduleKeyDeletion', now: T0 }));
    expect(scheduled).toEqual([
      { type: 'KeyDeletionScheduled', data: { deletionDate: days(30).toISOString(), pendingWindowInDays: 30 } },
    ]);
    const pending = scheduled.reduce(evolveKey, state);
    expect(keyStateOf(pending)).toBe('PendingDeletion');
    expect(refusal(backingKeyForDecrypt(pending, backing(1).keyMaterialId)).message).toBe(
      `${ARN} is pending deletion.`,
    );
    expect(refusal(when(pending, { type: 'ScheduleKeyDeletion', now: T0 })).code).toBe('InvalidState');
    expect(refusal(when(pending, { type: 'EnableKey', now: T0 })).code).toBe('InvalidState');
    const canceled = events(when(pending, { type: 'CancelKeyDeletion', now: T0 })).reduce(evolveKey, pending);
    expect(keyStateOf(canceled)).toBe('Disabled');
    expect(refusal(when(canceled, { type: 'CancelKeyDeletion', now: T0 })).message).toBe(
      `${ARN} is not pending deletion.`,
    );
  });

  it('completes deletion only when due, destroying every shred key', () => {
    let state = given(...create());
    state = events(
      when(state, { type: 'RotateKeyOnDemand', backingKey: backing(2), maxOnDemandRotations: 10, now: T0 }),
    ).reduce(evolveKey, state);
    state = events(when(state, { type: 'ScheduleKeyDeletion', pendingWindowInDays: 7, now: T0 })).reduce(
      evolveKey,
      state,
    );
    expect(events(when(state, { type: 'CompleteKeyDeletionIfDue', now: days(6) }))).toEqual([]);
    const deleted = events(when(state, { type: 'CompleteKeyDeletionIfDue', now: days(7) }));
    expect(deleted).toEqual([
      {
        type: 'KeyDeleted',
        data: {
          deletedAt: days(7).toISOString(),
          destroyedShredKeyIds: [backing(1).shredKeyId, backing(2).shredKeyId],
        },
      },
    ]);
    const gone = deleted.reduce(evolveKey, state);
    expect(gone.backingKeys.every((b) => b.state === 'DESTROYED' && !b.hasMaterial)).toBe(true);
    expect(refusal(when(gone, { type: 'EnableKey', now: days(8) })).code).toBe('NotFound');
    expect(refusal(backingKeyForDecrypt(gone, backing(1).keyMaterialId)).code).toBe('NotFound');
  });

  it('automatic rotation happens when due, once, and moves the next date on by the period', () => {
    let state = given(...create());
    const enabled = events(when(state, { type: 'EnableKeyRotation', rotationPeriodInDays: 90, now: T0 }));
    expect(enabled).toEqual([
      { type: 'KeyRotationEnabled', data: { rotationPeriodInDays: 90, nextRotationDate: days(90).toISOString() } },
    ]);
    state = enabled.reduce(evolveKey, state);
    expect(events(when(state, { type: 'RotateKeyIfDue', backingKey: backing(2), now: days(89) }))).toEqual([]);
    const rotated = events(when(state, { type: 'RotateKeyIfDue', backingKey: backing(2), now: days(90) }));
    expect(rotated[1]).toMatchObject({
      type: 'KeyRotated',
      data: { rotationType: 'AUTOMATIC', nextRotationDate: days(180).toISOString() },
    });
    state = rotated.reduce(evolveKey, state);
    expect(events(when(state, { type: 'RotateKeyIfDue', backingKey: backing(3), now: days(90) }))).toEqual([]);
    expect(state.onDemandRotations).toBe(0);
  });

  it('refuses rotation settings out of range and on EXTERNAL keys', () => {
    const state = given(...create());
    expect(refusal(when(state, { type: 'EnableKeyRotation', rotationPeriodInDays: 89, now: T0 })).code).toBe(
      'Validation',
    );
    expect(refusal(when(state, { type: 'EnableKeyRotation', rotationPeriodInDays: 2561, now: T0 })).code).toBe(
      'Validation',
    );
    const external = given(...create('EXTERNAL'));
    expect(refusal(when(external, { type: 'EnableKeyRotation', now: T0 })).message).toBe(
      `${ARN} origin is EXTERNAL which is not valid for this operation.`,
    );
  });

  it('decrypt refuses a backing key the key never had', () => {
    const state = given(...create());
    expect(refusal(backingKeyForDecrypt(state, 'f'.repeat(64))).code).toBe('InvalidCiphertext');
  });

  it('tags: reserved prefix refused, replacement by key, removal', () => {
    let state = given(...create());
    expect(refusal(when(state, { type: 'TagResource', tags: [{ TagKey: 'aws:x', TagValue: '' }], now: T0 })).code).toBe(
      'Tag',
    );
    state = events(
      when(state, {
        type: 'TagResource',
        tags: [
          { TagKey: 'a', TagValue: '1' },
          { TagKey: 'b', TagValue: '2' },
        ],
        now: T0,
      }),
    ).reduce(evolveKey, state);
    state = events(when(state, { type: 'TagResource', tags: [{ TagKey: 'a', TagValue: '3' }], now: T0 })).reduce(
      evolveKey,
      state,
    );
    state = events(when(state, { type: 'UntagResource', tagKeys: ['b'], now: T0 })).reduce(evolveKey, state);
    expect(state.tags).toEqual([{ TagKey: 'a', TagValue: '3' }]);
  });
});
