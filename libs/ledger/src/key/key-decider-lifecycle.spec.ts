import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand, NewBackingKey } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import { evolveKey, initialKeyState, keyStateOf, type KeyAggregate } from './key-state.js';

// Given events, when a lifecycle command, then events or a refusal with AWS's text: the commands and states that
// the decider's other specs leave out (descriptions, rotation settings off, on-demand rotation of imported keys).
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;
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
const then = (history: KeyEvent[], command: KeyCommand): KeyEvent[] => [
  ...history,
  ...events(when(given(...history), command)),
];

const createCommand = (origin: 'AWS_KMS' | 'EXTERNAL'): KeyCommand => ({
  type: 'CreateKey',
  keyId: KEY_ID,
  arn: ARN,
  accountId: '111122223333',
  region: 'us-east-1',
  description: 'first',
  origin,
  tags: [],
  backingKey: origin === 'AWS_KMS' ? backing(1) : undefined,
  now: T0,
});
const created = (origin: 'AWS_KMS' | 'EXTERNAL' = 'AWS_KMS') => events(when(initialKeyState(), createCommand(origin)));
const pendingDeletion = () => then(created(), { type: 'ScheduleKeyDeletion', pendingWindowInDays: 7, now: T0 });

const token = (n: number) => `aaaaaaaa-0000-4000-8000-00000000000${n}`;
const parameters = (n: number, now: Date): KeyCommand => ({
  type: 'GetParametersForImport',
  wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
  wrappingKeySpec: 'RSA_2048',
  parameters: {
    importTokenId: token(n),
    sealedPrivateKey: 'sealed-private',
    shredKeyId: `p-${n}`,
    publicKeySha256: 'ab',
  },
  now,
});
const importOf = (n: number, now: Date, importType?: 'NEW_KEY_MATERIAL'): KeyCommand => ({
  type: 'ImportKeyMaterial',
  importTokenId: token(n),
  keyMaterialId: String(n).padStart(64, 'a'),
  sealedMaterial: `sealed-import-${n}`,
  shredKeyId: `${KEY_ID}/import/${n}`,
  expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  ...(importType ? { importType } : {}),
  now,
});
/** An EXTERNAL key with material 1 imported and current. */
const imported = () => then(then(created('EXTERNAL'), parameters(1, T0)), importOf(1, new Date(T0.getTime() + HOUR)));

describe('invariants the handlers keep (a missing backing key is a bug, said so)', () => {
  it('CreateKey of an AWS_KMS key without a backing key throws, naming the command', () => {
    expect(() => when(initialKeyState(), { ...createCommand('AWS_KMS'), backingKey: undefined } as KeyCommand)).toThrow(
      'CreateKey of origin AWS_KMS needs a backing key',
    );
  });

  it('RotateKeyOnDemand of an AWS_KMS key without a backing key throws', () => {
    expect(() =>
      when(given(...created()), { type: 'RotateKeyOnDemand', maxOnDemandRotations: 10, now: T0 } as KeyCommand),
    ).toThrow('RotateKeyOnDemand of an AWS_KMS key needs a backing key');
  });

  it('RotateKeyIfDue of a due key without a backing key throws; of a key not due, decides nothing', () => {
    const rotating = then(created(), { type: 'EnableKeyRotation', rotationPeriodInDays: 90, now: T0 });
    const noBacking = (now: Date) => ({ type: 'RotateKeyIfDue', now }) as KeyCommand;
    expect(events(when(given(...rotating), noBacking(day(89))))).toEqual([]);
    expect(() => when(given(...rotating), noBacking(day(90)))).toThrow(
      'RotateKeyIfDue of a key due for rotation needs a backing key',
    );
  });
});

describe('EnableKey and DisableKey', () => {
  it('given an enabled key, DisableKey records KeyDisabled; then EnableKey records KeyEnabled', () => {
    const off = then(created(), { type: 'DisableKey', now: T0 });
    expect(off.at(-1)).toEqual({ type: 'KeyDisabled', data: {} });
    expect(events(when(given(...off), { type: 'EnableKey', now: T0 }))).toEqual([{ type: 'KeyEnabled', data: {} }]);
  });

  it.each(['EnableKey', 'DisableKey'] as const)(
    'given a key pending import, %s is refused as pending import',
    (type) => {
      const pendingImport = created('EXTERNAL');
      expect(keyStateOf(given(...pendingImport))).toBe('PendingImport');
      expect(refusal(when(given(...pendingImport), { type, now: T0 }))).toEqual({
        code: 'InvalidState',
        message: `${ARN} is pending import.`,
      });
    },
  );
});

describe('UpdateKeyDescription', () => {
  it('given a key, records the new description', () => {
    expect(events(when(given(...created()), { type: 'UpdateKeyDescription', description: 'second', now: T0 }))).toEqual(
      [{ type: 'KeyDescriptionUpdated', data: { description: 'second' } }],
    );
    const updated = then(created(), { type: 'UpdateKeyDescription', description: '', now: T0 });
    expect(given(...updated).description).toBe('');
  });

  it('given a key pending deletion, refuses it as pending deletion', () => {
    expect(
      refusal(when(given(...pendingDeletion()), { type: 'UpdateKeyDescription', description: 'x', now: T0 })),
    ).toEqual({ code: 'InvalidState', message: `${ARN} is pending deletion.` });
  });

  it('given a deleted key, refuses it as not found', () => {
    const deleted = then(pendingDeletion(), { type: 'CompleteKeyDeletionIfDue', now: day(7) });
    expect(refusal(when(given(...deleted), { type: 'UpdateKeyDescription', description: 'x', now: day(8) }))).toEqual({
      code: 'NotFound',
      message: `Key '${ARN}' does not exist`,
    });
  });
});

describe('DisableKeyRotation', () => {
  it('given rotation enabled, records KeyRotationDisabled; given it off, records nothing', () => {
    const rotating = then(created(), { type: 'EnableKeyRotation', now: T0 });
    expect(events(when(given(...rotating), { type: 'DisableKeyRotation', now: T0 }))).toEqual([
      { type: 'KeyRotationDisabled', data: {} },
    ]);
    expect(events(when(given(...created()), { type: 'DisableKeyRotation', now: T0 }))).toEqual([]);
  });

  it('given an imported key, refuses: its origin is not valid', () => {
    expect(refusal(when(given(...imported()), { type: 'DisableKeyRotation', now: T0 }))).toEqual({
      code: 'Unsupported',
      message: `${ARN} origin is EXTERNAL which is not valid for this operation.`,
    });
  });

  it('given a disabled key with rotation on, refuses it as disabled', () => {
    const history = then(then(created(), { type: 'EnableKeyRotation', now: T0 }), { type: 'DisableKey', now: T0 });
    expect(refusal(when(given(...history), { type: 'DisableKeyRotation', now: T0 }))).toEqual({
      code: 'Disabled',
      message: `${ARN} is disabled.`,
    });
  });
});

describe('RotateKeyOnDemand', () => {
  const onDemand = (now: Date, backingKey?: NewBackingKey): KeyCommand => ({
    type: 'RotateKeyOnDemand',
    maxOnDemandRotations: 10,
    ...(backingKey ? { backingKey } : {}),
    now,
  });

  it('given an AWS_KMS key, generates material and rotates to it on demand', () => {
    expect(events(when(given(...created()), onDemand(day(1), backing(2))))).toEqual([
      {
        type: 'KeyMaterialGenerated',
        data: { ...backing(2), generatedAt: day(1).toISOString() },
      },
      {
        type: 'KeyRotated',
        data: {
          keyMaterialId: backing(2).keyMaterialId,
          previousKeyMaterialId: backing(1).keyMaterialId,
          rotationType: 'ON_DEMAND',
          rotatedAt: day(1).toISOString(),
        },
      },
    ]);
  });

  it('given an imported key with no new material, refuses: import new material first', () => {
    expect(refusal(when(given(...imported()), onDemand(day(1), backing(2))))).toEqual({
      code: 'InvalidState',
      message: `${ARN} has no imported key material pending rotation. Import new key material first.`,
    });
  });

  it('given an imported key with new material pending rotation, rotates to that material and generates none', () => {
    const second = new Date(T0.getTime() + 2 * HOUR);
    const history = then(then(imported(), parameters(2, second)), importOf(2, second, 'NEW_KEY_MATERIAL'));
    expect(given(...history).currentKeyMaterialId).toBe(String(1).padStart(64, 'a'));
    // A backing key in the command is ignored: an imported key's material comes only from its owner.
    expect(events(when(given(...history), onDemand(day(1), backing(9))))).toEqual([
      {
        type: 'KeyRotated',
        data: {
          keyMaterialId: String(2).padStart(64, 'a'),
          previousKeyMaterialId: String(1).padStart(64, 'a'),
          rotationType: 'ON_DEMAND',
          rotatedAt: day(1).toISOString(),
        },
      },
    ]);
  });
});

describe('RotateKeyIfDue after downtime of exactly one period', () => {
  it('counts the next period from now, so the key is not due again at once', () => {
    const rotating = then(created(), { type: 'EnableKeyRotation', rotationPeriodInDays: 90, now: T0 });
    // Due at day 90; the server comes back at day 180, when due date + period is now.
    const [, rotated] = events(
      when(given(...rotating), { type: 'RotateKeyIfDue', backingKey: backing(2), now: day(180) }),
    );
    expect(rotated).toMatchObject({ data: { nextRotationDate: day(270).toISOString() } });
  });
});
