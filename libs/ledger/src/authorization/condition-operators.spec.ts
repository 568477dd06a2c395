import { describe, expect, it } from 'vitest';
import {
  CONDITION_OPERATORS,
  parseCidr,
  parseDate,
  parseNumber,
  parseOperator,
  validConditionValue,
} from './condition-operators.js';

const test = (operator: string, policyValues: string[]) => {
  const parsed = parseOperator(operator);
  if (parsed === undefined) throw new Error(`unknown operator ${operator}`);
  return parsed.compile(policyValues);
};

describe('parseOperator', () => {
  it('splits a set operator prefix and an IfExists suffix off the base', () => {
    expect(parseOperator('ForAnyValue:StringLikeIfExists')).toMatchObject({
      name: 'ForAnyValue:StringLikeIfExists',
      base: 'StringLike',
      set: 'ForAnyValue',
      ifExists: true,
      kind: 'string',
      negated: false,
    });
    expect(parseOperator('ForAllValues:StringNotEquals')).toMatchObject({
      base: 'StringNotEquals',
      set: 'ForAllValues',
      ifExists: false,
      negated: true,
    });
    expect(parseOperator('NumericLessThan')).toMatchObject({
      name: 'NumericLessThan',
      base: 'NumericLessThan',
      set: null,
      ifExists: false,
      kind: 'numeric',
    });
    expect(parseOperator('ArnNotLikeIfExists')).toMatchObject({ base: 'ArnNotLike', ifExists: true, kind: 'arn' });
  });

  it('knows the kind and the negation of every base operator', () => {
    const negated = CONDITION_OPERATORS.filter((name) => parseOperator(name)?.negated);
    expect(negated).toEqual([
      'StringNotEquals',
      'StringNotEqualsIgnoreCase',
      'StringNotLike',
      'NumericNotEquals',
      'DateNotEquals',
      'NotIpAddress',
      'ArnNotEquals',
      'ArnNotLike',
    ]);
    const kinds = Object.fromEntries(CONDITION_OPERATORS.map((name) => [name, parseOperator(name)?.kind]));
    expect(kinds).toMatchObject({
      StringLike: 'string',
      NumericGreaterThan: 'numeric',
      DateEquals: 'date',
      Bool: 'bool',
      BinaryEquals: 'binary',
      IpAddress: 'ip',
      ArnEquals: 'arn',
      Null: 'null',
    });
  });

  const unknown = [
    'StringEqualz',
    'stringequals',
    'ForSomeValues:StringEquals',
    'ForAnyValue:',
    ':StringEquals',
    'IfExists',
    'StringEqualsIfExistsIfExists',
    'NullIfExists',
    'ForAllValues:Null',
    'ForAnyValue:Null',
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
  ];
  for (const name of unknown) {
    it(`does not know ${name}`, () => {
      expect(parseOperator(name)).toBeUndefined();
    });
  }
});

describe('parseNumber', () => {
  const valid: Array<[string, number]> = [
    ['5', 5],
    ['12', 12],
    ['.25', 0.25],
    ['1e10', 1e10],
    ['-5', -5],
    ['+5', 5],
    ['5.', 5],
    ['5.25', 5.25],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['2.5e+2', 250],
    [' 7 ', 7],
  ];
  for (const [text, value] of valid) {
    it(`reads ${JSON.stringify(text)} as ${value}`, () => expect(parseNumber(text)).toBe(value));
  }
  for (const text of ['', 'five', '0x10', '1,000', '1e', 'e3', '.', '5a', 'a5', '--5', 'Infinity', 'NaN', '1.2.3']) {
    it(`refuses ${JSON.stringify(text)}`, () => expect(parseNumber(text)).toBeUndefined());
  }
});

describe('parseDate', () => {
  it('reads epoch seconds and ISO 8601, in milliseconds', () => {
    expect(parseDate('0')).toBe(0);
    expect(parseDate('1700000000')).toBe(1_700_000_000_000);
    expect(parseDate('2026-06-01')).toBe(Date.parse('2026-06-01'));
    expect(parseDate('2026-06-01T12:00:00Z')).toBe(Date.parse('2026-06-01T12:00:00Z'));
  });

  for (const text of [
    'tomorrow',
    '',
    '-1',
    '1.5',
    'x2026-06-01',
    '26-06-01',
    '2026-6-1',
    '2026-13-45',
    '2026-06-01x',
    'Mon 2026-06-01',
    ' 2026-06-01',
    'June 1, 2026',
    '12026-06-01',
  ]) {
    it(`refuses ${JSON.stringify(text)}`, () => expect(parseDate(text)).toBeUndefined());
  }
});

describe('parseCidr', () => {
  const cases: Array<[string, ReturnType<typeof parseCidr>]> = [
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['10.0.0.1', { address: '10.0.0.1', prefix: 32, family: 'ipv4' }],
    ['10.0.0.0/0', { address: '10.0.0.0', prefix: 0, family: 'ipv4' }],
    ['10.0.0.0/32', { address: '10.0.0.0', prefix: 32, family: 'ipv4' }],
    ['10.0.0.0/33', undefined],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
    ['2001:db8::1', { address: '2001:db8::1', prefix: 128, family: 'ipv6' }],
    ['2001:db8::/128', { address: '2001:db8::', prefix: 128, family: 'ipv6' }],
    ['2001:db8::/129', undefined],
    ['10.0.0.0/8/8', undefined],
    ['10.0.0.0/', undefined],
    ['10.0.0.0/x', undefined],
    ['10.0.0.0/-1', undefined],
    ['2001:db8::/0128', undefined],
    ['10.0.0.0/ 8', undefined],
    ['10.0.0/8', undefined],
    ['', undefined],
    ['/8', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => expect(parseCidr(text)).toEqual(expected));
  }
});

describe('base operators compare one request value with the policy values', () => {
  type Case = [operator: string, policyValues: string[], value: string, expected: boolean];
  const cases: Case[] = [
    ['StringEquals', ['a', 'b'], 'b', true],
    ['StringEquals', ['a', 'b'], 'B', false],
    ['StringEquals', ['a*'], 'ab', false],
    ['StringEqualsIgnoreCase', ['Alpha'], 'aLPHA', true],
    ['StringEqualsIgnoreCase', ['Alpha'], 'alph', false],
    ['StringLike', ['a*', 'b?'], 'bc', true],
    ['StringLike', ['a*', 'b?'], 'ba c', false],
    ['StringLike', ['A*'], 'ab', false],
    ['NumericEquals', ['5', '7'], '7', true],
    ['NumericEquals', ['5'], '5.0', true],
    ['NumericEquals', ['5'], '6', false],
    ['NumericEquals', ['5'], 'five', false],
    // Each comparison on both sides of its boundary.
    ['NumericLessThan', ['5'], '4', true],
    ['NumericLessThan', ['5'], '5', false],
    ['NumericLessThan', ['5'], '6', false],
    ['NumericLessThanEquals', ['5'], '5', true],
    ['NumericLessThanEquals', ['5'], '6', false],
    ['NumericLessThanEquals', ['5'], '4', true],
    ['NumericGreaterThan', ['5'], '6', true],
    ['NumericGreaterThan', ['5'], '5', false],
    ['NumericGreaterThan', ['5'], '4', false],
    ['NumericGreaterThanEquals', ['5'], '5', true],
    ['NumericGreaterThanEquals', ['5'], '4', false],
    ['NumericGreaterThanEquals', ['5'], '6', true],
    ['NumericGreaterThan', ['5', '1'], '3', true],
    ['NumericLessThan', ['1', '5'], '3', true],
    ['NumericLessThan', ['1', '2'], 'x', false],
    ['DateEquals', ['2026-06-01T00:00:00Z'], '1780272000', true],
    ['DateEquals', ['2026-06-01T00:00:00Z'], '1780272001', false],
    ['DateEquals', ['2026-06-01T00:00:00Z'], 'not a date', false],
    ['DateLessThan', ['1780272000'], '1780271999', true],
    ['DateLessThan', ['1780272000'], '1780272000', false],
    ['DateLessThan', ['1780272000'], '1780272001', false],
    ['DateLessThanEquals', ['1780272000'], '1780272000', true],
    ['DateLessThanEquals', ['1780272000'], '1780272001', false],
    ['DateLessThanEquals', ['1780272000'], '1780271999', true],
    ['DateGreaterThan', ['1780272000'], '1780272001', true],
    ['DateGreaterThan', ['1780272000'], '1780272000', false],
    ['DateGreaterThan', ['1780272000'], '1780271999', false],
    ['DateGreaterThanEquals', ['1780272000'], '1780272000', true],
    ['DateGreaterThanEquals', ['1780272000'], '1780271999', false],
    ['DateGreaterThanEquals', ['1780272000'], '1780272001', true],
    ['DateLessThan', ['1', '1780272000'], '1780271999', true],
    ['Bool', ['true'], 'TRUE', true],
    ['Bool', ['True'], 'true', true],
    ['Bool', ['true'], 'false', false],
    ['BinaryEquals', ['QUJD'], 'QUJD', true],
    ['BinaryEquals', ['QUJD'], 'qujd', false],
    ['IpAddress', ['10.0.0.0/8', '192.168.0.0/16'], '192.168.4.4', true],
    ['IpAddress', ['10.0.0.0/8'], '10.255.255.255', true],
    ['IpAddress', ['10.0.0.0/8'], '11.0.0.0', false],
    ['IpAddress', ['10.0.0.0/8'], 'not an ip', false],
    ['IpAddress', ['10.0.0.0/8'], '::ffff:1', false],
    ['IpAddress', ['2001:db8::/32'], '2001:db8:ffff::1', true],
    ['IpAddress', ['2001:db8::/32'], '2001:db9::1', false],
    ['IpAddress', ['2001:db8::/32'], '10.0.0.1', false],
    ['IpAddress', ['203.0.113.7'], '203.0.113.8', false],
    ['ArnEquals', ['arn:aws:iam::111122223333:user/*'], 'arn:aws:iam::111122223333:user/x', true],
    ['ArnLike', ['arn:aws:iam::*:root', 'arn:aws:iam::*:user/a'], 'arn:aws:iam::1:user/a', true],
    ['ArnLike', ['arn:aws:iam::*:root'], 'arn:aws:iam::1:user/a', false],
  ];
  for (const [operator, values, value, expected] of cases) {
    it(`${operator} ${JSON.stringify(values)} on ${JSON.stringify(value)} → ${expected}`, () => {
      expect(test(operator, values)(value)).toBe(expected);
    });
  }

  it('a negated operator compiles the same test as its positive twin (the caller negates it)', () => {
    expect(test('StringNotEquals', ['a'])('a')).toBe(true);
    expect(test('NumericNotEquals', ['5'])('5')).toBe(true);
    expect(test('DateNotEquals', ['5'])('5')).toBe(true);
    expect(test('NotIpAddress', ['10.0.0.0/8'])('10.0.0.1')).toBe(true);
    expect(test('ArnNotLike', ['arn:aws:iam::*:root'])('arn:aws:iam::1:root')).toBe(true);
    expect(test('StringNotEqualsIgnoreCase', ['a'])('A')).toBe(true);
    expect(test('StringNotLike', ['a*'])('ab')).toBe(true);
    expect(test('ArnNotEquals', ['arn:aws:iam::1:root'])('arn:aws:iam::1:root')).toBe(true);
  });
});

describe('validConditionValue', () => {
  type Case = [kind: Parameters<typeof validConditionValue>[0], value: string, expected: boolean];
  const cases: Case[] = [
    ['numeric', '5', true],
    ['numeric', 'five', false],
    ['date', '2026-01-01', true],
    ['date', 'tomorrow', false],
    ['bool', 'true', true],
    ['bool', 'FALSE', true],
    ['bool', 'False', true],
    ['bool', 'yes', false],
    ['bool', '', false],
    ['null', 'TRUE', true],
    ['null', 'false', true],
    ['null', '1', false],
    ['ip', '10.0.0.0/8', true],
    ['ip', '10.0.0.0/33', false],
    ['string', '', true],
    ['string', 'anything', true],
    ['arn', 'not an arn', true],
    ['binary', '!!', true],
  ];
  for (const [kind, value, expected] of cases) {
    it(`${kind} ${JSON.stringify(value)} → ${expected}`, () => expect(validConditionValue(kind, value)).toBe(expected));
  }
});
