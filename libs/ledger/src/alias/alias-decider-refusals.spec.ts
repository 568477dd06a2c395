import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyState } from '../key/key-state.js';
import { MAX_ALIASES_PER_KEY } from '../quotas.js';
import { decideAlias, evolveAlias, initialAliasState, validateAliasName, type AliasCommand } from './alias-decider.js';
import type { AliasEvent } from './alias-events.js';

// Given alias events, when an alias command, then events or a refusal with its exact text: the alias rules
// both sides of each bound, and every key state an alias may or may not point at.
const T0 = new Date('2026-01-01T00:00:00.000Z');
const T1 = new Date('2026-01-02T00:00:00.000Z');
const NAME = 'alias/payments';
const ALIAS_ARN = 'arn:aws:kms:us-east-1:111122223333:alias/payments';
const keyArn = (keyId: string) => `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;

const given = (...events: AliasEvent[]) => events.reduce(evolveAlias, initialAliasState());
const refusal = (decision: AliasEvent[] | DomainError): { code: string; message: string } => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return { code: decision.code, message: decision.message };
};
const toKey = (
  type: 'CreateAlias' | 'UpdateAlias',
  keyId: string,
  keyState: KeyState = 'Enabled',
  aliasCount = 0,
  aliasName = NAME,
): AliasCommand => ({
  type,
  aliasName,
  aliasArn: ALIAS_ARN,
  target: { keyId, arn: keyArn(keyId), keyState, aliasCount },
  now: T1,
});
const created: AliasEvent = {
  type: 'AliasCreated',
  data: { aliasName: NAME, aliasArn: ALIAS_ARN, targetKeyId: 'k1', createdAt: T0.toISOString() },
};
const deleted: AliasEvent = {
  type: 'AliasDeleted',
  data: { aliasName: NAME, targetKeyId: 'k1', deletedAt: T0.toISOString() },
};

describe('alias names', () => {
  const PREFIX_TEXT =
    'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html';

  it.each(['payments', 'alias/', 'Alias/payments', 'aliaspayments'])(
    'refuses %j: it needs alias/ and a name',
    (name) => {
      expect(validateAliasName(name)).toEqual(new DomainError('Validation', PREFIX_TEXT));
      expect(refusal(decideAlias(toKey('CreateAlias', 'k1', 'Enabled', 0, name), given()))).toEqual({
        code: 'Validation',
        message: PREFIX_TEXT,
      });
    },
  );

  it.each(['alias/aws/s3', 'alias/AWS/s3', 'alias/Aws/'])('refuses %j: alias/aws/ is reserved, in any case', (name) => {
    expect(refusal(decideAlias(toKey('CreateAlias', 'k1', 'Enabled', 0, name), given()))).toEqual({
      code: 'InvalidAliasName',
      message: `Alias name ${name} must not begin with 'alias/aws/': it is reserved for AWS managed keys.`,
    });
  });

  it.each(['alias/p', 'alias/aws', 'alias/awsome', 'alias/my/aws/x'])('accepts %j', (name) => {
    expect(validateAliasName(name)).toBeUndefined();
  });

  it('checks the name before anything else: a bad name on a missing alias is a validation error', () => {
    expect(
      refusal(decideAlias({ type: 'DeleteAlias', aliasName: 'x', aliasArn: ALIAS_ARN, now: T1 }, given())).code,
    ).toBe('Validation');
  });
});

describe('CreateAlias', () => {
  it('given an alias of that name, refuses with AWS text', () => {
    expect(refusal(decideAlias(toKey('CreateAlias', 'k2'), given(created)))).toEqual({
      code: 'AlreadyExists',
      message: `An alias with the name ${ALIAS_ARN} already exists`,
    });
  });

  it.each<KeyState>(['PendingDeletion', 'PendingReplicaDeletion'])('refuses a target key %s', (state) => {
    expect(refusal(decideAlias(toKey('CreateAlias', 'k1', state), given()))).toEqual({
      code: 'InvalidState',
      message: `${keyArn('k1')} is pending deletion.`,
    });
  });

  it.each<KeyState>(['Enabled', 'Disabled', 'PendingImport'])('points at a target key %s', (state) => {
    expect(decideAlias(toKey('CreateAlias', 'k1', state), given())).toEqual([
      {
        type: 'AliasCreated',
        data: { aliasName: NAME, aliasArn: ALIAS_ARN, targetKeyId: 'k1', createdAt: T1.toISOString() },
      },
    ]);
  });

  it(`refuses a key with ${MAX_ALIASES_PER_KEY} aliases with AWS text`, () => {
    expect(refusal(decideAlias(toKey('CreateAlias', 'k1', 'Enabled', MAX_ALIASES_PER_KEY), given()))).toEqual({
      code: 'LimitExceeded',
      message: `The key ${keyArn('k1')} already has ${MAX_ALIASES_PER_KEY} aliases, the most a key can have.`,
    });
  });
});

describe('UpdateAlias', () => {
  it('given no alias, or a deleted one, refuses as not found', () => {
    const notFound = { code: 'NotFound', message: `Alias ${ALIAS_ARN} is not found.` };
    expect(refusal(decideAlias(toKey('UpdateAlias', 'k2'), given()))).toEqual(notFound);
    expect(refusal(decideAlias(toKey('UpdateAlias', 'k2'), given(created, deleted)))).toEqual(notFound);
  });

  it.each<KeyState>(['PendingDeletion', 'PendingReplicaDeletion'])('refuses to move onto a key %s', (state) => {
    expect(refusal(decideAlias(toKey('UpdateAlias', 'k2', state), given(created)))).toEqual({
      code: 'InvalidState',
      message: `${keyArn('k2')} is pending deletion.`,
    });
  });

  it('refuses to point again at its own key once that key is pending deletion (the count does not matter)', () => {
    expect(refusal(decideAlias(toKey('UpdateAlias', 'k1', 'PendingDeletion'), given(created))).code).toBe(
      'InvalidState',
    );
  });

  it('moves onto a full key only when that key is the one it names already', () => {
    expect(refusal(decideAlias(toKey('UpdateAlias', 'k2', 'Enabled', MAX_ALIASES_PER_KEY), given(created)))).toEqual({
      code: 'LimitExceeded',
      message: `The key ${keyArn('k2')} already has ${MAX_ALIASES_PER_KEY} aliases, the most a key can have.`,
    });
    expect(decideAlias(toKey('UpdateAlias', 'k1', 'Enabled', MAX_ALIASES_PER_KEY), given(created))).toEqual([
      { type: 'AliasMoved', data: { aliasName: NAME, fromKeyId: 'k1', toKeyId: 'k1', movedAt: T1.toISOString() } },
    ]);
  });
});

describe('DeleteAlias', () => {
  it('given a deleted alias, refuses as not found', () => {
    expect(
      refusal(
        decideAlias({ type: 'DeleteAlias', aliasName: NAME, aliasArn: ALIAS_ARN, now: T1 }, given(created, deleted)),
      ),
    ).toEqual({ code: 'NotFound', message: `Alias ${ALIAS_ARN} is not found.` });
  });
});

describe('alias state', () => {
  it('records when it was created and last moved, and what it names', () => {
    const moved: AliasEvent = {
      type: 'AliasMoved',
      data: { aliasName: NAME, fromKeyId: 'k1', toKeyId: 'k2', movedAt: T1.toISOString() },
    };
    expect(given(created)).toEqual({
      exists: true,
      aliasName: NAME,
      aliasArn: ALIAS_ARN,
      targetKeyId: 'k1',
      createdAt: T0.getTime(),
      lastUpdatedAt: T0.getTime(),
    });
    expect(given(created, moved)).toMatchObject({
      targetKeyId: 'k2',
      createdAt: T0.getTime(),
      lastUpdatedAt: T1.getTime(),
    });
    expect(given(created, moved, deleted)).toMatchObject({ exists: false, targetKeyId: null });
    expect(initialAliasState()).toEqual({
      exists: false,
      aliasName: '',
      aliasArn: '',
      targetKeyId: null,
      createdAt: null,
      lastUpdatedAt: null,
    });
  });
});
