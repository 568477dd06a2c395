import type { KeyCreated, KeyEvent } from '../key/key-events.js';
import { evolveKey, initialKeyState, type KeyAggregate } from '../key/key-state.js';
import type { KeyMaterialArrived } from '../key/multi-region-events.js';

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

/** The multi-Region key the multi-Region specs speak of. */
export const MRK_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';

/**
 * A member's KeyCreated: the multi-Region key in `region`, its primary in `primaryRegion`; with `primaryRegion`
 * null, a single-Region key in that region instead.
 */
export function memberCreated(region: string, primaryRegion: string | null, more: Partial<KeyCreated['data']> = {}) {
  const multiRegion = primaryRegion === null ? {} : { keyId: MRK_ID, multiRegion: { primaryRegion } };
  return keyCreated('AWS_KMS', {
    arn: `arn:aws:kms:${region}:111122223333:key/${MRK_ID}`,
    region,
    ...multiRegion,
    ...more,
  });
}

/** The n-th backing key's id: 64 hex digits. */
export const materialId = (n: number): string => String(n).padStart(64, '0');

/** The n-th backing key arriving at a replica from its primary in us-east-1, current, never rotated. */
export const materialArrived = (n: number, more: Partial<KeyMaterialArrived['data']> = {}): KeyEvent => ({
  type: 'KeyMaterialArrived',
  data: {
    keyMaterialId: materialId(n),
    sealedMaterial: 's',
    shredKeyId: `r/${n}`,
    fromRegion: 'us-east-1',
    current: true,
    rotationDate: null,
    rotationType: null,
    arrivedAt: CREATED_AT,
    ...more,
  },
});
