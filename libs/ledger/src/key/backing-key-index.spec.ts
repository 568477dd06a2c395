import { describe, expect, it } from 'vitest';
import { findIn, withAppended, withChanges } from './backing-key-index.js';
import type { BackingKey } from './key-state.js';

// The index is a cache: the answers must be those of a plain scan, and the arrays it is given are never changed.
const backing = (n: number): BackingKey => ({
  keyMaterialId: String(n).padStart(64, '0'),
  origin: 'AWS_KMS',
  hasMaterial: true,
  shredKeyId: `shred-${n}`,
  createdAt: n,
  state: 'NON_CURRENT',
  rotationDate: null,
  rotationType: null,
  importState: null,
  expirationModel: null,
  validTo: null,
  description: null,
});
const restored = (count: number): BackingKey[] => Array.from({ length: count }, (_, i) => backing(i + 1));

describe('backing-key index', () => {
  it('given a restored array never looked up, when one is appended, then every backing key is found', () => {
    for (const count of [7, 8, 9]) {
      const next = withAppended(restored(count), backing(100));
      expect(next).toHaveLength(count + 1);
      for (const n of [1, count, 100]) expect(findIn(next, backing(n).keyMaterialId)?.createdAt).toBe(n);
      expect(findIn(next, backing(999).keyMaterialId)).toBeUndefined();
    }
  });

  it('when a change names a backing key the array does not have, then the same array comes back', () => {
    for (const count of [3, 12]) {
      const all = restored(count);
      expect(withChanges(all, [[backing(999).keyMaterialId, (b) => ({ ...b, state: 'CURRENT' })]])).toBe(all);
      expect(withChanges(all, [[null, (b) => ({ ...b, state: 'CURRENT' })]])).toBe(all);
    }
  });
});
