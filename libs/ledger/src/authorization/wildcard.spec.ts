import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arnMatcher, hasWildcard, splitArn, wildcardMatcher } from './wildcard.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234';
// Text without IAM's two wildcards, so that it can stand for itself in a pattern.
const literal = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !hasWildcard(s));

describe('wildcardMatcher', () => {
  type Case = [pattern: string, ignoreCase: boolean, value: string, expected: boolean];
  const cases: Case[] = [
    ['*', false, '', true],
    ['*', false, 'anything: at all', true],
    ['', false, '', true],
    ['', false, 'x', false],
    ['kms:Decrypt', false, 'kms:Decrypt', true],
    ['kms:Decrypt', false, 'kms:decrypt', false],
    ['kms:Decrypt', true, 'KMS:DECRYPT', true],
    ['kms:Decrypt', true, 'kms:Decrypt2', false],
    ['kms:De*', false, 'kms:Decrypt', true],
    ['kms:De*', false, 'kms:De', true],
    ['kms:De*', false, 'kms:de', false],
    ['kms:De*', true, 'KMS:DECRYPT', true],
    ['kms:De*', false, 'x kms:Decrypt', false],
    ['*crypt', false, 'kms:Decrypt', true],
    ['*crypt', false, 'kms:Decrypts', false],
    ['kms:?ncrypt', false, 'kms:Encrypt', true],
    ['kms:?ncrypt', false, 'kms:ncrypt', false],
    ['kms:?ncrypt', false, 'kms:EEncrypt', false],
    ['a?', false, 'aB', true],
    ['a?', true, 'Ab', true],
    // `*` runs over line breaks too: a condition value is any string.
    ['a*b', false, 'a\nb', true],
    ['a?b', false, 'a\nb', true],
    // Regular-expression characters in a pattern stand for themselves.
    ['a.b*', false, 'axb', false],
    ['a.b*', false, 'a.bc', true],
    ['a+*', false, 'aa', false],
    ['a+*', false, 'a+', true],
    ['(a|b)*', false, 'a', false],
    ['(a|b)*', false, '(a|b)', true],
    ['[ab]*', false, 'a', false],
    ['[ab]*', false, '[ab]c', true],
    ['^a$*', false, 'a', false],
    ['^a$*', false, '^a$', true],
    ['a{2}*', false, 'aa', false],
    ['a{2}*', false, 'a{2}', true],
    ['a\\d*', false, 'a1', false],
    ['a\\d*', false, 'a\\d', true],
  ];
  for (const [pattern, ignoreCase, value, expected] of cases) {
    it(`${JSON.stringify(pattern)} (ignoreCase ${ignoreCase}) on ${JSON.stringify(value)} → ${expected}`, () => {
      expect(wildcardMatcher(pattern, ignoreCase)(value)).toBe(expected);
    });
  }

  it('a pattern without wildcards matches exactly itself (property)', () => {
    fc.assert(
      fc.property(literal, literal, (pattern, value) => {
        expect(wildcardMatcher(pattern, false)(value)).toBe(pattern === value);
        expect(wildcardMatcher(pattern, false)(pattern)).toBe(true);
      }),
    );
  });

  it('prefix* matches every extension of the prefix and nothing that lacks it (property)', () => {
    fc.assert(
      fc.property(literal, fc.string({ unit: 'binary', maxLength: 12 }), literal, (prefix, rest, other) => {
        const matches = wildcardMatcher(`${prefix}*`, false);
        expect(matches(prefix + rest)).toBe(true);
        expect(matches(other)).toBe(other.startsWith(prefix));
      }),
    );
  });
});

describe('hasWildcard', () => {
  it('is true for * or ? anywhere, false otherwise', () => {
    expect(hasWildcard('a*')).toBe(true);
    expect(hasWildcard('?a')).toBe(true);
    expect(hasWildcard('a')).toBe(false);
    expect(hasWildcard('')).toBe(false);
  });
});

describe('splitArn', () => {
  it('gives the six parts; the resource keeps its own colons', () => {
    expect(splitArn(KEY)).toEqual(['arn', 'aws', 'kms', 'us-east-1', '111122223333', 'key/1234']);
    expect(splitArn('arn:aws:logs:r:1:log-group:g:*')).toEqual(['arn', 'aws', 'logs', 'r', '1', 'log-group:g:*']);
    expect(splitArn('arn:aws:iam::1:root')).toEqual(['arn', 'aws', 'iam', '', '1', 'root']);
  });

  it('is undefined for fewer than six parts or another first part', () => {
    expect(splitArn('arn:aws:iam:1:root')).toBeUndefined();
    expect(splitArn('urn:aws:iam::1:root')).toBeUndefined();
    expect(splitArn('*')).toBeUndefined();
  });
});

describe('arnMatcher', () => {
  type Case = [pattern: string, value: string, expected: boolean];
  const cases: Case[] = [
    ['*', KEY, true],
    ['*', 'not an arn', true],
    [KEY, KEY, true],
    [KEY, `${KEY}5`, false],
    ['arn:aws:kms:*:111122223333:key/*', KEY, true],
    ['arn:aws:kms:us-east-?:111122223333:key/*', KEY, true],
    ['arn:aws:kms:*:999988887777:key/*', KEY, false],
    // A `*` stays inside its part: it cannot swallow the region and the account.
    ['arn:aws:kms:*:key/1234', KEY, false],
    ['arn:*:key/1234', KEY, false],
    ['arn:aws:kms:*:*:*', KEY, true],
    ['arn:aws:kms:*:*:key/1234:extra', KEY, false],
    ['arn:aws:logs:*:*:log-group:g:*', 'arn:aws:logs:r:1:log-group:g:stream', true],
    ['arn:aws:logs:*:*:log-group:g:*', 'arn:aws:logs:r:1:log-group:h:stream', false],
    // Parts are compared with their case.
    ['arn:aws:kms:*:111122223333:KEY/*', KEY, false],
    // A value that is no ARN matches no ARN pattern, not even one of wildcards only.
    ['arn:*:*:*:*:*', 'not:an:arn', false],
    ['arn:*:*:*:*:*', 'urn:a:b:c:d:e', false],
    ['arn:*:*:*:*:*', KEY, true],
  ];
  for (const [pattern, value, expected] of cases) {
    it(`${pattern} on ${value} → ${expected}`, () => {
      expect(arnMatcher(pattern)(value)).toBe(expected);
    });
  }
});
