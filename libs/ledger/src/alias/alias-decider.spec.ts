import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { decideAlias, evolveAlias, initialAliasState, type AliasCommand, type AliasTarget } from './alias-decider.js';
import type { AliasEvent } from './alias-events.js';
import { MAX_ALIASES_PER_KEY } from '../quotas.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const target = (keyId: string, keyState: AliasTarget['keyState'] = 'Enabled', aliasCount = 0): AliasTarget => ({
  keyId,
  arn: `arn:k/${keyId}`,
  keyState,
  aliasCount,
});
const name = 'alias/payments';
const aliasArn = 'arn:aws:kms:us-east-1:111122223333:alias/payments';
const given = (...events: AliasEvent[]) => events.reduce(evolveAlias, initialAliasState());
const created: AliasEvent = {
  type: 'AliasCreated',
  data: { aliasName: name, aliasArn, targetKeyId: 'k1', createdAt: T0.toISOString() },
};
const cmd = (type: AliasCommand['type'], keyId = 'k2', keyState: AliasTarget['keyState'] = 'Enabled'): AliasCommand =>
  type === 'DeleteAlias'
    ? { type, aliasName: name, aliasArn, now: T0 }
    : { type, aliasName: name, aliasArn, target: target(keyId, keyState), now: T0 };

describe('alias decider', () => {
  it('creates, moves and deletes', () => {
    expect(decideAlias(cmd('CreateAlias', 'k1'), given())).toEqual([created]);
    expect(decideAlias(cmd('UpdateAlias', 'k2'), given(created))).toEqual([
      { type: 'AliasMoved', data: { aliasName: name, fromKeyId: 'k1', toKeyId: 'k2', movedAt: T0.toISOString() } },
    ]);
    expect(decideAlias(cmd('DeleteAlias'), given(created))).toEqual([
      { type: 'AliasDeleted', data: { aliasName: name, targetKeyId: 'k1', deletedAt: T0.toISOString() } },
    ]);
  });

  it('refuses a second alias of the same name, but allows it again after deletion', () => {
    const refused = decideAlias(cmd('CreateAlias'), given(created));
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('AlreadyExists');
    const deleted = given(created, {
      type: 'AliasDeleted',
      data: { aliasName: name, targetKeyId: 'k1', deletedAt: T0.toISOString() },
    });
    expect(decideAlias(cmd('CreateAlias', 'k3'), deleted)).toMatchObject([
      { type: 'AliasCreated', data: { targetKeyId: 'k3' } },
    ]);
  });

  it('refuses names without the alias/ prefix and the reserved alias/aws/ prefix', () => {
    const bad = decideAlias(
      { ...(cmd('CreateAlias') as Extract<AliasCommand, { type: 'CreateAlias' }>), aliasName: 'payments' },
      given(),
    );
    expect(bad).toMatchObject({
      code: 'Validation',
      message: expect.stringContaining('Alias must start with the prefix "alias/"'),
    });
    const reserved = decideAlias(
      { ...(cmd('CreateAlias') as Extract<AliasCommand, { type: 'CreateAlias' }>), aliasName: 'alias/aws/s3' },
      given(),
    );
    expect(reserved).toMatchObject({ code: 'InvalidAliasName' });
  });

  it('refuses to point at a key pending deletion, and to move or delete a missing alias', () => {
    expect(decideAlias(cmd('CreateAlias', 'k1', 'PendingDeletion'), given())).toMatchObject({ code: 'InvalidState' });
    expect(decideAlias(cmd('UpdateAlias'), given())).toMatchObject({ code: 'NotFound' });
    expect(decideAlias(cmd('DeleteAlias'), given())).toMatchObject({ code: 'NotFound' });
  });

  it('a key takes at most MAX_ALIASES_PER_KEY aliases; moving an alias to the key it names adds none', () => {
    const at = (type: 'CreateAlias' | 'UpdateAlias', keyId: string, aliasCount: number): AliasCommand => ({
      type,
      aliasName: name,
      aliasArn,
      target: target(keyId, 'Enabled', aliasCount),
      now: T0,
    });
    expect(decideAlias(at('CreateAlias', 'k1', MAX_ALIASES_PER_KEY - 1), given())).toEqual([created]);
    const full = decideAlias(at('CreateAlias', 'k1', MAX_ALIASES_PER_KEY), given());
    expect(full).toBeInstanceOf(DomainError);
    expect((full as DomainError).code).toBe('LimitExceeded');
    expect((decideAlias(at('UpdateAlias', 'k2', MAX_ALIASES_PER_KEY), given(created)) as DomainError).code).toBe(
      'LimitExceeded',
    );
    expect(decideAlias(at('UpdateAlias', 'k2', MAX_ALIASES_PER_KEY - 1), given(created))).toHaveLength(1);
    expect(decideAlias(at('UpdateAlias', 'k1', MAX_ALIASES_PER_KEY), given(created))).toHaveLength(1);
  });
});
