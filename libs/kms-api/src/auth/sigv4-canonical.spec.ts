import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalHeaderValue,
  canonicalPath,
  canonicalQuery,
  headerValue,
  parseQuery,
  singleHeader,
  uriEscape,
} from './sigv4-canonical.js';

// SigV4's canonical forms are what a signature covers: one character off and a valid signature fails, or worse, two
// different requests share one canonical text. Each case below is the form the AWS SDKs build.

describe('uriEscape (RFC 3986)', () => {
  it('given the characters encodeURIComponent leaves alone, then only the unreserved ones stay', () => {
    expect(uriEscape("AZaz09-._~!'()*")).toBe('AZaz09-._~%21%27%28%29%2A');
    expect(uriEscape('a b/c:d+e%')).toBe('a%20b%2Fc%3Ad%2Be%25');
  });

  it('given any text, then the result is unreserved characters and upper-case escapes that decode back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const out = uriEscape(s);
        expect(out).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
        expect(decodeURIComponent(out)).toBe(s);
      }),
    );
  });
});

describe('canonicalPath', () => {
  it('given the root, written or empty, then it is /', () => {
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('')).toBe('/');
  });

  it('given dot segments and empty segments, then they are removed as the SDKs remove them', () => {
    expect(canonicalPath('/a/./b/../c')).toBe('/a/c');
    expect(canonicalPath('/a//b')).toBe('/a/b');
    expect(canonicalPath('/a/b/../../..')).toBe('/');
    expect(canonicalPath('/..')).toBe('/');
    expect(canonicalPath('/../')).toBe('/');
  });

  it('given a trailing slash, then it is kept after a segment', () => {
    expect(canonicalPath('/a/b/')).toBe('/a/b/');
    expect(canonicalPath('/a/b')).toBe('/a/b');
  });

  it('given a path without its leading slash, then none is added', () => {
    expect(canonicalPath('a/b')).toBe('a/b');
  });

  it('given encoded and reserved characters, then each segment is encoded once more, the separators kept', () => {
    expect(canonicalPath('/a b/c%2Fd/(x)')).toBe('/a%20b/c%252Fd/%28x%29');
  });
});

describe('parseQuery', () => {
  it('given an empty query or empty parts, then no parameter comes of them', () => {
    expect(parseQuery('')).toEqual([]);
    expect(parseQuery('a=1&&b=2&')).toEqual([
      { key: 'a', value: '1', rawKey: 'a', rawValue: '1' },
      { key: 'b', value: '2', rawKey: 'b', rawValue: '2' },
    ]);
  });

  it('given a key without =, then its value is empty; given = in a value, then the value keeps it', () => {
    expect(parseQuery('flag&k=a=b')).toEqual([
      { key: 'flag', value: '', rawKey: 'flag', rawValue: '' },
      { key: 'k', value: 'a%3Db', rawKey: 'k', rawValue: 'a=b' },
    ]);
  });

  it('given + and %2B, then + is a space and %2B a plus, in keys and values alike', () => {
    expect(parseQuery('a+b=c+d&p=%2B')).toEqual([
      { key: 'a%20b', value: 'c%20d', rawKey: 'a b', rawValue: 'c d' },
      { key: 'p', value: '%2B', rawKey: 'p', rawValue: '+' },
    ]);
  });

  it('given a malformed escape, then the raw text is kept and encoded', () => {
    expect(parseQuery('k%zz=%E0%A4%A')).toEqual([
      { key: 'k%25zz', value: '%25E0%25A4%25A', rawKey: 'k%zz', rawValue: '%E0%A4%A' },
    ]);
  });
});

describe('canonicalQuery', () => {
  const q = (text: string) => parseQuery(text);

  it('given parameters out of order, then they are sorted by encoded key, then by encoded value', () => {
    expect(canonicalQuery(q('b=1&a=2&a=1&c=0'))).toBe('a=1&a=2&b=1&c=0');
    expect(canonicalQuery(q('a=1&b=2&a=0'))).toBe('a=0&a=1&b=2');
    expect(canonicalQuery(q('x=2&x=10'))).toBe('x=10&x=2');
    expect(canonicalQuery(q('x=1&x=2'))).toBe('x=1&x=2');
    expect(canonicalQuery(q('k=v&k=v'))).toBe('k=v&k=v');
  });

  it('given an excluded key, then that parameter alone is left out', () => {
    expect(canonicalQuery(q('X-Amz-Signature=ab&b=1&a=2'), 'X-Amz-Signature')).toBe('a=2&b=1');
    expect(canonicalQuery(q('X-Amz-Signature=ab&b=1'))).toBe('X-Amz-Signature=ab&b=1');
  });

  it('given parameters, then the list it was given keeps its order', () => {
    const params = q('b=1&a=2');
    canonicalQuery(params);
    expect(params.map((p) => p.rawKey)).toEqual(['b', 'a']);
  });
});

describe('headerValue and singleHeader', () => {
  it('given a name in any case, then the header is found; given another name, then nothing is', () => {
    expect(headerValue({ 'x-amz-date': 'd' }, 'x-amz-date')).toBe('d');
    expect(headerValue({ host: 'h', 'X-Amz-Date': 'D' }, 'x-amz-date')).toBe('D');
    expect(headerValue({ 'X-Amz-Datex': 'D' }, 'x-amz-date')).toBeUndefined();
    expect(headerValue({ 'X-Amz-Datf': 'D' }, 'x-amz-date')).toBeUndefined();
    expect(headerValue({}, 'host')).toBeUndefined();
  });

  it('given a name that only lower-cases to the name sought, at another length, then it is not that header', () => {
    // 'İ' (U+0130) lower-cases to two code units, 'i' and a combining dot.
    expect(headerValue({ İ: 'v' }, 'i̇')).toBeUndefined();
  });

  it('given a header sent twice, then singleHeader reads the first', () => {
    expect(singleHeader({ 'x-amz-date': ['a', 'b'] }, 'x-amz-date')).toBe('a');
    expect(singleHeader({ 'x-amz-date': 'a' }, 'x-amz-date')).toBe('a');
    expect(headerValue({ 'x-amz-date': ['a', 'b'] }, 'x-amz-date')).toEqual(['a', 'b']);
  });
});

describe('canonicalHeaderValue', () => {
  it('given a value already canonical, then it is unchanged', () => {
    expect(canonicalHeaderValue('application/x-amz-json-1.1')).toBe('application/x-amz-json-1.1');
    expect(canonicalHeaderValue('a b c')).toBe('a b c');
  });

  it('given line breaks, tabs, runs of spaces, or spaces at either end, then each is one space or trimmed', () => {
    expect(canonicalHeaderValue('a\rb')).toBe('a b');
    expect(canonicalHeaderValue('a\nb')).toBe('a b');
    expect(canonicalHeaderValue('a\tb')).toBe('a b');
    expect(canonicalHeaderValue('a  b')).toBe('a b');
    expect(canonicalHeaderValue(' a')).toBe('a');
    expect(canonicalHeaderValue('a ')).toBe('a');
    expect(canonicalHeaderValue('a\r\n \t b')).toBe('a b');
  });
});
