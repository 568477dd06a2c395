import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isKeyId, isKeyMaterialId, isMultiRegionKeyId } from './identifiers.js';

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

  it('a multi-Region key id is mrk- and 32 lowercase hex digits, and only a string is one', () => {
    const id = `mrk-${randomBytes(16).toString('hex')}`;
    expect(isMultiRegionKeyId(id)).toBe(true);
    expect(isKeyId(id)).toBe(true);
    // An array or object whose text is a valid id is still not an id: the regex alone would take its text.
    for (const bad of [
      `x${id}`,
      `${id}0`,
      id.toUpperCase(),
      id.slice(0, -1),
      randomUUID(),
      [id],
      { toString: () => id },
    ]) {
      expect(isMultiRegionKeyId(bad)).toBe(false);
    }
  });
});
