import { describe, expect, it } from 'vitest';
import { encodeEncryptionContext, InvalidEncryptionContextError } from './encryption-context.js';

describe('encryption context encoding', () => {
  it('length-prefixes keys and values so {"a":"bc"} and {"ab":"c"} differ', () => {
    const a = encodeEncryptionContext({ a: 'bc' });
    const b = encodeEncryptionContext({ ab: 'c' });
    expect(a.toString('hex')).toBe('00000001' + '00000001' + '61' + '00000002' + '6263');
    expect(b.toString('hex')).toBe('00000001' + '00000002' + '6162' + '00000001' + '63');
    expect(a.equals(b)).toBe(false);
  });

  it('encodes absent, null and empty contexts as a zero pair count', () => {
    const empty = Buffer.alloc(4);
    expect(encodeEncryptionContext()).toEqual(empty);
    expect(encodeEncryptionContext(null)).toEqual(empty);
    expect(encodeEncryptionContext({})).toEqual(empty);
  });

  it('does not depend on insertion order', () => {
    expect(encodeEncryptionContext({ b: '2', a: '1', c: '3' })).toEqual(
      encodeEncryptionContext({ c: '3', a: '1', b: '2' }),
    );
  });

  it('sorts by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FFFF is EF BF BF in UTF-8, U+10000 is F0 90 80 80: UTF-8 order puts U+FFFF first,
    // while JavaScript's default sort (D800 < FFFF) would put U+10000 first.
    const encoded = encodeEncryptionContext({ '\u{10000}': 'y', '\uffff': 'x' });
    expect(encoded.subarray(8, 11).toString('hex')).toBe('efbfbf');
  });

  it('keeps pair boundaries unambiguous for multi-pair contexts', () => {
    const one = encodeEncryptionContext({ a: 'b', c: 'd' });
    const two = encodeEncryptionContext({ a: 'b\u0000\u0000\u0000\u0001c' });
    expect(one.equals(two)).toBe(false);
  });

  it('rejects non-string values and lone surrogates', () => {
    expect(() => encodeEncryptionContext({ a: 1 } as unknown as Record<string, string>)).toThrow(
      InvalidEncryptionContextError,
    );
    expect(() => encodeEncryptionContext({ a: '\ud800' })).toThrow(InvalidEncryptionContextError);
    expect(() => encodeEncryptionContext({ '\udc00': 'a' })).toThrow(InvalidEncryptionContextError);
    expect(() => encodeEncryptionContext(['a'] as unknown as Record<string, string>)).toThrow(
      InvalidEncryptionContextError,
    );
  });

  it('returns a fresh buffer for the empty context', () => {
    const first = encodeEncryptionContext();
    first.fill(0xff);
    expect(encodeEncryptionContext()).toEqual(Buffer.alloc(4));
  });
});
