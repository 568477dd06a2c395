import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { aliasTargetAfter, decideAlias, evolveAlias, initialAliasState, type AliasTarget } from './alias-decider.js';
import { ALIAS_EVENT_TYPES, type AliasEvent } from './alias-events.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const aliasName = 'alias/payments';
const aliasArn = 'arn:aws:kms:us-east-1:111122223333:alias/payments';
const target = (keyId: string, keyState: AliasTarget['keyState']): AliasTarget => ({
  keyId,
  arn: `arn:k/${keyId}`,
  keyState,
  aliasCount: 0,
});
const created: AliasEvent = {
  type: 'AliasCreated',
  data: { aliasName, aliasArn, targetKeyId: 'k1', createdAt: T0.toISOString() },
};
const existing = [created].reduce(evolveAlias, initialAliasState());

describe('an alias target pending deletion', () => {
  it.each(['Enabled', 'Disabled', 'PendingImport'] as const)('UpdateAlias moves the alias onto a key %s', (state) => {
    expect(
      decideAlias({ type: 'UpdateAlias', aliasName, aliasArn, target: target('k2', state), now: T0 }, existing),
    ).toEqual([{ type: 'AliasMoved', data: { aliasName, fromKeyId: 'k1', toKeyId: 'k2', movedAt: T0.toISOString() } }]);
  });

  it('UpdateAlias refuses a key pending deletion, and so does CreateAlias', () => {
    const update = decideAlias(
      { type: 'UpdateAlias', aliasName, aliasArn, target: target('k2', 'PendingDeletion'), now: T0 },
      existing,
    );
    expect(update).toEqual(new DomainError('InvalidState', 'arn:k/k2 is pending deletion.'));
    expect((update as DomainError).code).toBe('InvalidState');
    const create = decideAlias(
      { type: 'CreateAlias', aliasName, aliasArn, target: target('k2', 'PendingDeletion'), now: T0 },
      initialAliasState(),
    );
    expect((create as DomainError).code).toBe('InvalidState');
  });
});

describe('alias event types', () => {
  it('lists the three events of an alias stream, each naming the key the alias points at after it', () => {
    expect(ALIAS_EVENT_TYPES).toEqual(['AliasCreated', 'AliasMoved', 'AliasDeleted']);
    const data = { aliasName, aliasArn, targetKeyId: 'k1', fromKeyId: 'k1', toKeyId: 'k2', at: '' };
    expect(ALIAS_EVENT_TYPES.map((type) => aliasTargetAfter({ type, data } as unknown as AliasEvent))).toEqual([
      'k1',
      'k2',
      null,
    ]);
  });
});
