import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isKeyId, isKeyMaterialId } from './identifiers.js';

describe('identifiers', () => {
  it('a key id is a lowercase UUID and nothing around it', () => {
    const id = randomUUID();
    expect(isKeyId(id)).toBe(true);
    for (const bad of [`x${id}`, `alias/${id}`, `${id}x`, id.toUpperCase(), id.replaceAll('-', ''), '', 42, null]) {
      expect(isKeyId(bad)).toBe(false);
    }
  });

  it('a KeyMaterialId is 64 lowercase hex digits and nothing around them', () => {
    const id = randomBytes(32).toString('hex');
    expect(isKeyMaterialId(id)).toBe(true);
    for (const bad of [`0${id}`, `${id}0`, id.slice(1), id.toUpperCase(), 'g'.repeat(64), undefined]) {
      expect(isKeyMaterialId(bad)).toBe(false);
    }
  });
});
