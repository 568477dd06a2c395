import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { keyCreated } from './key-creation.js';
import type { KeyEvent } from './key-events.js';
import { requireEnabled } from './key-guards.js';
import { type KeyAggregate } from './key-state.js';
import { KEY_ARN as ARN, KEY_ID, given, keyCreated as keyCreatedEvent } from '../testing/key-fixtures.js';

// requireEnabled is the guard of every cryptographic operation: AWS's order of refusal, one answer per key state.
const AT = '2026-01-01T00:00:00.000Z';

const created = (origin: 'AWS_KMS' | 'EXTERNAL'): KeyEvent =>
  keyCreatedEvent(origin, { multiRegion: { primaryRegion: 'us-east-1' } });
const generated: KeyEvent = {
  type: 'KeyMaterialGenerated',
  data: { keyMaterialId: '1'.repeat(64), sealedMaterial: 's', shredKeyId: 'shred-1', generatedAt: AT },
};
const scheduled: KeyEvent = {
  type: 'KeyDeletionScheduled',
  data: { deletionDate: '2026-02-01T00:00:00.000Z', pendingWindowInDays: 30 },
};
const awaitingReplicas: KeyEvent = { type: 'KeyDeletionAwaitingReplicas', data: { pendingWindowInDays: 30 } };
const deleted: KeyEvent = { type: 'KeyDeleted', data: { deletedAt: AT, destroyedShredKeyIds: ['shred-1'] } };

const answer = (key: KeyAggregate) => {
  const refused = requireEnabled(key);
  return refused === undefined ? 'allowed' : `${refused.code}: ${refused.message}`;
};

describe('requireEnabled: one answer per key state, in AWS order', () => {
  it.each([
    ['never created', given(), `NotFound: Key '' does not exist`],
    [
      'deleted after its waiting period',
      given(created('AWS_KMS'), generated, scheduled, deleted),
      `NotFound: Key '${ARN}' does not exist`,
    ],
    ['pending deletion', given(created('AWS_KMS'), generated, scheduled), `InvalidState: ${ARN} is pending deletion.`],
    ['pending import', given(created('EXTERNAL')), `InvalidState: ${ARN} is pending import.`],
    [
      'disabled',
      given(created('AWS_KMS'), generated, { type: 'KeyDisabled', data: {} }),
      `Disabled: ${ARN} is disabled.`,
    ],
    ['enabled', given(created('AWS_KMS'), generated), 'allowed'],
  ])('given a key %s, then %s', (_, key, expected) => {
    expect(answer(key)).toBe(expected);
  });

  it('given a primary waiting for its replicas to go, then it is pending deletion', () => {
    const key = given(created('AWS_KMS'), generated, awaitingReplicas);
    expect(key.pendingReplicaDeletion).toBe(true);
    expect(answer(key)).toBe(`InvalidState: ${ARN} is pending deletion.`);
  });
});

describe('keyCreated', () => {
  it('given a key that exists, then AlreadyExists naming it', () => {
    const refused = keyCreated(given(created('AWS_KMS')), {
      keyId: KEY_ID,
      arn: ARN,
      accountId: '111122223333',
      region: 'us-east-1',
      description: '',
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin: 'AWS_KMS',
      tags: [],
      now: Date.parse(AT),
    });
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).message).toBe(`Key '${ARN}' already exists`);
  });
});
