import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand, NewBackingKey } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent, Tag } from './key-events.js';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';

// Given events, when a command, then events or a refusal: each boundary on both sides.
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const day = (n: number) => new Date(T0.getTime() + n * DAY);
const backing = (n: number): NewBackingKey => ({
  keyMaterialId: String(n).padStart(64, '0'),
  sealedMaterial: `sealed-${n}`,
  shredKeyId: `${KEY_ID}/${n}`,
});

const given = (...events: KeyEvent[]): KeyAggregate => events.reduce(evolveKey, initialKeyState());
const when = (state: KeyAggregate, command: KeyCommand) => decideKey(command, state);
const events = (decision: KeyEvent[] | DomainError): KeyEvent[] => {
  if (decision instanceof DomainError) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  return decision;
};
const refusal = (decision: KeyEvent[] | DomainError): { code: string; message: string } => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return { code: decision.code, message: decision.message };
};
/** The events so far plus what the command decides. */
const then = (history: KeyEvent[], command: KeyCommand): KeyEvent[] => [
  ...history,
  ...events(when(given(...history), command)),
];

const created = (): KeyEvent[] =>
  events(
    when(initialKeyState(), {
      type: 'CreateKey',
      keyId: KEY_ID,
      arn: ARN,
      accountId: '111122223333',
      region: 'us-east-1',
      description: '',
      origin: 'AWS_KMS',
      tags: [],
      backingKey: backing(1),
      now: T0,
    }),
  );
const pendingDeletion = () => then(created(), { type: 'ScheduleKeyDeletion', pendingWindowInDays: 7, now: T0 });
const disabled = () => then(created(), { type: 'DisableKey', now: T0 });
const rotating = (period = 90) => then(created(), { type: 'EnableKeyRotation', rotationPeriodInDays: period, now: T0 });
const tags = (n: number, prefix = 't'): Tag[] =>
  Array.from({ length: n }, (_, i) => ({ TagKey: `${prefix}${i}`, TagValue: 'v' }));

describe('EnableKeyRotation period', () => {
  it.each([90, 365, 2560])('accepts %i days', (period) => {
    expect(
      events(when(given(...created()), { type: 'EnableKeyRotation', rotationPeriodInDays: period, now: T0 })),
    ).toEqual([
      {
        type: 'KeyRotationEnabled',
        data: { rotationPeriodInDays: period, nextRotationDate: day(period).toISOString() },
      },
    ]);
  });

  it.each([89, 2561, 90.5])('refuses %s days', (period) => {
    expect(
      refusal(when(given(...created()), { type: 'EnableKeyRotation', rotationPeriodInDays: period, now: T0 })),
    ).toEqual({ code: 'Validation', message: 'RotationPeriodInDays must be between 90 and 2560.' });
  });

  it('defaults to 365 days; the same period again records nothing, another period is recorded', () => {
    const enabled = then(created(), { type: 'EnableKeyRotation', now: T0 });
    expect(enabled.at(-1)).toMatchObject({ data: { rotationPeriodInDays: 365 } });
    expect(events(when(given(...enabled), { type: 'EnableKeyRotation', now: T0 }))).toEqual([]);
    expect(
      events(when(given(...enabled), { type: 'EnableKeyRotation', rotationPeriodInDays: 100, now: T0 })),
    ).toHaveLength(1);
  });
});

describe('ScheduleKeyDeletion window', () => {
  it.each([7, 30])('accepts %i days', (window) => {
    expect(
      events(when(given(...created()), { type: 'ScheduleKeyDeletion', pendingWindowInDays: window, now: T0 })),
    ).toEqual([
      {
        type: 'KeyDeletionScheduled',
        data: { deletionDate: day(window).toISOString(), pendingWindowInDays: window },
      },
    ]);
  });

  it.each([6, 31, 7.5])('refuses %s days', (window) => {
    expect(
      refusal(when(given(...created()), { type: 'ScheduleKeyDeletion', pendingWindowInDays: window, now: T0 })),
    ).toEqual({ code: 'Validation', message: 'PendingWindowInDays must be between 7 and 30.' });
  });

  it('refuses to schedule twice, and to cancel what is not scheduled', () => {
    expect(refusal(when(given(...pendingDeletion()), { type: 'ScheduleKeyDeletion', now: T0 }))).toEqual({
      code: 'InvalidState',
      message: `${ARN} is pending deletion.`,
    });
    expect(refusal(when(given(...created()), { type: 'CancelKeyDeletion', now: T0 }))).toEqual({
      code: 'InvalidState',
      message: `${ARN} is not pending deletion.`,
    });
  });
});

describe('CompleteKeyDeletionIfDue', () => {
  it('given a key never scheduled for deletion, deletes nothing however late it is', () => {
    expect(events(when(given(...created()), { type: 'CompleteKeyDeletionIfDue', now: day(10_000) }))).toEqual([]);
  });

  it('deletes nothing before the deletion date, and the key with every shred key at it', () => {
    const state = given(...pendingDeletion());
    expect(events(when(state, { type: 'CompleteKeyDeletionIfDue', now: new Date(day(7).getTime() - 1) }))).toEqual([]);
    expect(events(when(state, { type: 'CompleteKeyDeletionIfDue', now: day(7) }))).toEqual([
      { type: 'KeyDeleted', data: { deletedAt: day(7).toISOString(), destroyedShredKeyIds: [backing(1).shredKeyId] } },
    ]);
  });

  it('given a deletion canceled, deletes nothing at the old date', () => {
    const canceled = then(pendingDeletion(), { type: 'CancelKeyDeletion', now: day(1) });
    expect(events(when(given(...canceled), { type: 'CompleteKeyDeletionIfDue', now: day(8) }))).toEqual([]);
  });
});

describe('RotateKeyIfDue', () => {
  const rotate = (now: Date, n = 2): KeyCommand => ({ type: 'RotateKeyIfDue', backingKey: backing(n), now });

  it('rotates nothing a millisecond before the due date, and at it rotates with the next date one period on', () => {
    const state = given(...rotating());
    expect(events(when(state, rotate(new Date(day(90).getTime() - 1))))).toEqual([]);
    const rotated = events(when(state, rotate(day(90))));
    expect(rotated.map((e) => e.type)).toEqual(['KeyMaterialGenerated', 'KeyRotated']);
    expect(rotated[1]).toMatchObject({
      data: {
        keyMaterialId: backing(2).keyMaterialId,
        previousKeyMaterialId: backing(1).keyMaterialId,
        rotationType: 'AUTOMATIC',
        nextRotationDate: day(180).toISOString(),
      },
    });
  });

  it('after the first automatic rotation, rotates again at the next date', () => {
    const once = then(rotating(), rotate(day(90)));
    expect(events(when(given(...once), rotate(day(179), 3)))).toEqual([]);
    const twice = events(when(given(...once), rotate(day(180), 3)));
    expect(twice[1]).toMatchObject({
      data: { keyMaterialId: backing(3).keyMaterialId, nextRotationDate: day(270).toISOString() },
    });
  });

  it('a day late, keeps the schedule: the next date counts from the due date', () => {
    const [, rotated] = events(when(given(...rotating()), rotate(day(91))));
    expect(rotated).toMatchObject({ data: { nextRotationDate: day(180).toISOString() } });
  });

  it('after downtime longer than a period, rotates once and counts the next period from now', () => {
    const [, rotated] = events(when(given(...rotating()), rotate(day(200))));
    expect(rotated).toMatchObject({ data: { nextRotationDate: day(290).toISOString() } });
  });

  it('given a disabled key, a key pending deletion or rotation disabled, rotates nothing', () => {
    expect(refusal(when(given(...disabled()), { type: 'EnableKeyRotation', now: T0 })).code).toBe('Disabled');
    const pending = then(rotating(), { type: 'ScheduleKeyDeletion', pendingWindowInDays: 30, now: day(1) });
    expect(events(when(given(...pending), rotate(day(90))))).toEqual([]);
    const off = then(rotating(), { type: 'DisableKeyRotation', now: day(1) });
    expect(events(when(given(...off), rotate(day(90))))).toEqual([]);
    const disabledAfter = then(rotating(), { type: 'DisableKey', now: day(1) });
    expect(events(when(given(...disabledAfter), rotate(day(90))))).toEqual([]);
  });
});

describe('tags', () => {
  it('accepts up to 50 distinct tag keys, counting keys already there once, and refuses the 51st', () => {
    const state = given(...then(created(), { type: 'TagResource', tags: tags(49), now: T0 }));
    expect(events(when(state, { type: 'TagResource', tags: [...tags(49), ...tags(1, 'x')], now: T0 }))).toHaveLength(1);
    expect(refusal(when(state, { type: 'TagResource', tags: tags(2, 'x'), now: T0 }))).toEqual({
      code: 'LimitExceeded',
      message: 'A key can have at most 50 tags.',
    });
  });

  it("refuses a tag key with the reserved prefix 'aws:'", () => {
    expect(
      refusal(when(given(...created()), { type: 'TagResource', tags: [{ TagKey: 'aws:x', TagValue: '' }], now: T0 })),
    ).toEqual({ code: 'Tag', message: "Tag key 'aws:x' uses the reserved prefix 'aws:'." });
  });

  it('refuses tagging, untagging and describing a key pending deletion', () => {
    const state = given(...pendingDeletion());
    const pending = { code: 'InvalidState', message: `${ARN} is pending deletion.` };
    expect(refusal(when(state, { type: 'TagResource', tags: tags(1), now: T0 }))).toEqual(pending);
    expect(refusal(when(state, { type: 'UntagResource', tagKeys: ['t0'], now: T0 }))).toEqual(pending);
    expect(refusal(when(state, { type: 'UpdateKeyDescription', description: 'x', now: T0 }))).toEqual(pending);
  });
});

describe('RotateKeyOnDemand limit', () => {
  it('rotates while under the limit and refuses at it', () => {
    let history = created();
    for (let n = 2; n <= 3; n++)
      history = then(history, { type: 'RotateKeyOnDemand', backingKey: backing(n), maxOnDemandRotations: 2, now: T0 });
    expect(
      refusal(
        when(given(...history), {
          type: 'RotateKeyOnDemand',
          backingKey: backing(4),
          maxOnDemandRotations: 2,
          now: T0,
        }),
      ),
    ).toEqual({ code: 'LimitExceeded', message: `The on-demand rotations limit (2) has been reached for ${ARN}.` });
    expect(
      events(
        when(given(...history), {
          type: 'RotateKeyOnDemand',
          backingKey: backing(4),
          maxOnDemandRotations: 3,
          now: T0,
        }),
      ),
    ).toHaveLength(2);
  });
});
