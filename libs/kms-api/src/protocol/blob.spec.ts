import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, encodeBase64 } from './blob.js';

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
      // U+0080 and U+00FF: the first and last code past ASCII, outside the alphabet table.
      'AAA\u0080',
      '\u00ffAAA',
    ]) {
      expect(decodeBase64Strict(bad), bad).toBeUndefined();
    }
  });
});

describe('encodeBase64', () => {
  it('encodes a Buffer, and a Uint8Array through its own view only, never the bytes around it', () => {
    expect(encodeBase64(Buffer.from('hi'))).toBe('aGk=');
    const around = Buffer.from('xxhiyy');
    expect(encodeBase64(new Uint8Array(around.buffer, around.byteOffset + 2, 2))).toBe('aGk=');
    expect(encodeBase64(new Uint8Array(0))).toBe('');
  });
});
