import type { KeyCreated, KeyEvent } from '../key/key-events.js';
import { evolveKey, initialKeyState, type KeyAggregate } from '../key/key-state.js';

// The key the key folder's specs speak of: symmetric, in us-east-1, made at the start of 2026. Not built into the
// library (tsconfig excludes src/testing) nor mutated (stryker.config.mjs).

export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
export const CREATED_AT = '2026-01-01T00:00:00.000Z';

/** That key's KeyCreated, with `more` of its fields changed. */
export function keyCreated(
  origin: 'AWS_KMS' | 'EXTERNAL' = 'AWS_KMS',
  more: Partial<KeyCreated['data']> = {},
): KeyEvent {
  return {
    type: 'KeyCreated',
    data: {
      keyId: KEY_ID,
      arn: KEY_ARN,
      accountId: '111122223333',
      region: 'us-east-1',
      description: '',
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin,
      tags: [],
      createdAt: CREATED_AT,
      ...more,
    },
  };
}

/** Given these events, the key's state: folded from the initial state, as a stream is read. */
export const given = (...events: KeyEvent[]): KeyAggregate => events.reduce(evolveKey, initialKeyState());
