import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict } from './blob.js';

describe('decodeBase64Strict', () => {
  it('round-trips every length', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = randomBytes(n);
      expect(decodeBase64Strict(bytes.toString('base64'))).toEqual(bytes);
    }
  });

  it('refuses what Node would silently accept', () => {
    for (const bad of [
      'aGk',
      'aGk=a',
      'aG k=',
      'aGk=\n',
      'aGk_',
      'aGk-',
      'a===',
      '=aGk',
      'aGl=',
      'aGVsbG9=',
      'QR==',
      'aGk=aGk=',
      'é123',
    ]) {
      expect(decodeBase64Strict(bad), bad).toBeUndefined();
    }
  });
});
