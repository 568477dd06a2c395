import { describe, expect, it } from 'vitest';
import { compileClause, compileConditions } from './conditions.js';
import type { AuthorizationRequest } from './request-context.js';

const base: AuthorizationRequest = {
  principalArn: 'arn:aws:iam::111122223333:user/alice',
  accountId: '111122223333',
  action: 'kms:Decrypt',
  resource: 'arn:aws:kms:us-east-1:111122223333:key/k',
  currentTime: Date.parse('2026-06-01T12:00:00Z'),
};
const holds = (operator: string, key: string, values: string[], extra: Partial<AuthorizationRequest> = {}) =>
  compileClause({ operator, key, values })({ ...base, ...extra });

type Case = [operator: string, key: string, values: string[], extra: Partial<AuthorizationRequest>, expected: boolean];
const ctx = (encryptionContext: Record<string, string>) => ({ encryptionContext });

const cases: Case[] = [
  ['StringEquals', 'aws:username', ['alice'], {}, true],
  ['StringEquals', 'aws:username', ['Alice'], {}, false],
  ['StringEquals', 'aws:username', ['bob', 'alice'], {}, true],
  ['StringNotEquals', 'aws:username', ['bob', 'carol'], {}, true],
  ['StringNotEquals', 'aws:username', ['bob', 'alice'], {}, false],
  ['StringEqualsIgnoreCase', 'aws:username', ['ALICE'], {}, true],
  ['StringNotEqualsIgnoreCase', 'aws:username', ['ALICE'], {}, false],
  ['StringLike', 'aws:PrincipalArn', ['arn:aws:iam::*:user/a*'], {}, true],
  ['StringLike', 'aws:PrincipalArn', ['arn:aws:iam::*:user/b?b'], {}, false],
  ['StringNotLike', 'aws:PrincipalArn', ['*:user/b*'], {}, true],
  ['StringEquals', 'AWS:USERNAME', ['alice'], {}, true],
  ['NumericEquals', 'aws:EpochTime', [String(Date.parse('2026-06-01T12:00:00Z') / 1000)], {}, true],
  ['NumericNotEquals', 'aws:EpochTime', ['1'], {}, true],
  ['NumericLessThan', 'aws:EpochTime', ['1'], {}, false],
  ['NumericLessThanEquals', 'aws:EpochTime', ['99999999999'], {}, true],
  ['NumericGreaterThan', 'aws:EpochTime', ['1'], {}, true],
  ['NumericGreaterThanEquals', 'aws:EpochTime', ['99999999999'], {}, false],
  ['DateEquals', 'aws:CurrentTime', ['2026-06-01T12:00:00Z'], {}, true],
  ['DateNotEquals', 'aws:CurrentTime', ['2026-06-01T12:00:00Z'], {}, false],
  ['DateLessThan', 'aws:CurrentTime', ['2026-07-01T00:00:00Z'], {}, true],
  ['DateLessThan', 'aws:CurrentTime', ['2026-06-01T12:00:00Z'], {}, false],
  ['DateLessThanEquals', 'aws:CurrentTime', ['2026-06-01T12:00:00Z'], {}, true],
  ['DateGreaterThan', 'aws:CurrentTime', ['2026-01-01'], {}, true],
  ['DateGreaterThanEquals', 'aws:CurrentTime', [String(Date.parse('2026-06-01T12:00:01Z') / 1000)], {}, false],
  ['Bool', 'kms:GrantIsForAWSResource', ['true'], { grantIsForAwsResource: true }, true],
  ['Bool', 'kms:GrantIsForAWSResource', ['true'], { grantIsForAwsResource: false }, false],
  ['Bool', 'kms:GrantIsForAWSResource', ['false'], {}, false],
  ['BinaryEquals', 'kms:KeySpec', ['SYMMETRIC_DEFAULT'], { keySpec: 'SYMMETRIC_DEFAULT' }, true],
  ['IpAddress', 'aws:SourceIp', ['10.0.0.0/8'], { sourceIp: '10.1.2.3' }, true],
  ['IpAddress', 'aws:SourceIp', ['10.0.0.0/8'], { sourceIp: '11.1.2.3' }, false],
  ['IpAddress', 'aws:SourceIp', ['2001:db8::/32'], { sourceIp: '2001:db8::1' }, true],
  ['IpAddress', 'aws:SourceIp', ['203.0.113.7'], { sourceIp: '203.0.113.7' }, true],
  ['NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8'], { sourceIp: '11.1.2.3' }, true],
  ['IpAddress', 'aws:SourceIp', ['10.0.0.0/8'], {}, false],
  ['ArnEquals', 'aws:PrincipalArn', ['arn:aws:iam::111122223333:user/alice'], {}, true],
  ['ArnLike', 'aws:PrincipalArn', ['arn:aws:iam::*:user/*'], {}, true],
  ['ArnLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/*'], {}, false],
  // A * in one ARN part does not run into the next.
  ['ArnLike', 'aws:PrincipalArn', ['arn:*:111122223333:user/alice'], {}, false],
  ['ArnNotEquals', 'aws:PrincipalArn', ['arn:aws:iam::111122223333:user/bob'], {}, true],
  ['ArnNotLike', 'aws:PrincipalArn', ['arn:aws:iam::*:user/*'], {}, false],
  ['Null', 'kms:EncryptionContextKeys', ['true'], {}, true],
  ['Null', 'kms:EncryptionContextKeys', ['true'], ctx({ a: 'b' }), false],
  ['Null', 'kms:EncryptionContextKeys', ['false'], ctx({ a: 'b' }), true],
  ['Null', 'kms:EncryptionContextKeys', ['false'], ctx({}), false],
  // Absent keys: false, except IfExists, ForAllValues and the negated operators.
  ['StringEquals', 'kms:EncryptionContext:app', ['x'], {}, false],
  ['StringEqualsIfExists', 'kms:EncryptionContext:app', ['x'], {}, true],
  ['StringEqualsIfExists', 'kms:EncryptionContext:app', ['x'], ctx({ app: 'y' }), false],
  ['StringEqualsIfExists', 'kms:EncryptionContext:app', ['x'], ctx({ app: 'x' }), true],
  ['StringNotEquals', 'kms:EncryptionContext:app', ['x'], {}, true],
  ['NumericLessThanIfExists', 'kms:EncryptionContext:n', ['5'], {}, true],
  ['NumericLessThanIfExists', 'kms:EncryptionContext:n', ['5'], ctx({ n: '7' }), false],
  ['DateLessThanIfExists', 'kms:EncryptionContext:d', ['2026-01-01'], {}, true],
  ['BoolIfExists', 'kms:GrantIsForAWSResource', ['true'], {}, true],
  ['ArnLikeIfExists', 'kms:GranteePrincipal', ['arn:aws:iam::*:user/*'], {}, true],
  ['IpAddressIfExists', 'aws:SourceIp', ['10.0.0.0/8'], {}, true],
  // Set operators.
  ['ForAllValues:StringEquals', 'kms:EncryptionContextKeys', ['a', 'b'], ctx({ a: '1', b: '2' }), true],
  ['ForAllValues:StringEquals', 'kms:EncryptionContextKeys', ['a', 'b'], ctx({ a: '1', c: '2' }), false],
  ['ForAllValues:StringEquals', 'kms:EncryptionContextKeys', ['a'], {}, true],
  ['ForAnyValue:StringEquals', 'kms:EncryptionContextKeys', ['a'], ctx({ z: '1', a: '2' }), true],
  ['ForAnyValue:StringEquals', 'kms:EncryptionContextKeys', ['a'], ctx({ z: '1' }), false],
  ['ForAnyValue:StringEquals', 'kms:EncryptionContextKeys', ['a'], {}, false],
  ['ForAnyValue:StringEqualsIfExists', 'kms:EncryptionContextKeys', ['a'], {}, true],
  ['ForAllValues:StringNotEquals', 'kms:GrantOperations', ['Decrypt'], { grantOperations: ['Encrypt'] }, true],
  [
    'ForAllValues:StringNotEquals',
    'kms:GrantOperations',
    ['Decrypt'],
    { grantOperations: ['Encrypt', 'Decrypt'] },
    false,
  ],
  [
    'ForAnyValue:StringNotEquals',
    'kms:GrantOperations',
    ['Decrypt'],
    { grantOperations: ['Encrypt', 'Decrypt'] },
    true,
  ],
  [
    'ForAnyValue:StringLike',
    'kms:ResourceAliases',
    ['alias/app-*'],
    { resourceAliases: ['alias/x', 'alias/app-1'] },
    true,
  ],
  // Every condition key the issue names reads from the request.
  ['StringEquals', 'kms:CallerAccount', ['111122223333'], {}, true],
  [
    'StringEquals',
    'kms:EncryptionAlgorithm',
    ['SYMMETRIC_DEFAULT'],
    { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    true,
  ],
  ['StringEquals', 'kms:RequestAlias', ['alias/app'], { requestAlias: 'alias/app' }, true],
  [
    'StringEquals',
    'kms:GranteePrincipal',
    ['arn:aws:iam::111122223333:user/bob'],
    { granteePrincipal: 'arn:aws:iam::111122223333:user/bob' },
    true,
  ],
  [
    'StringEquals',
    'kms:RetiringPrincipal',
    ['arn:aws:iam::111122223333:user/bob'],
    { retiringPrincipal: 'arn:aws:iam::111122223333:user/bob' },
    true,
  ],
  ['StringEquals', 'kms:KeyOrigin', ['EXTERNAL'], { keyOrigin: 'AWS_KMS' }, false],
  ['StringEquals', 'kms:KeyUsage', ['ENCRYPT_DECRYPT'], { keyUsage: 'ENCRYPT_DECRYPT' }, true],
  ['StringEquals', 'aws:PrincipalType', ['User'], {}, true],
  ['StringEquals', 'aws:username', ['x'], { principalArn: 'arn:aws:iam::111122223333:root' }, false],
  ['StringEquals', 'kms:SomethingUnknown', ['x'], {}, false],
];

describe('condition clauses', () => {
  for (const [operator, key, values, extra, expected] of cases) {
    it(`${operator} ${key} ${JSON.stringify(values)} on ${JSON.stringify(extra)} → ${expected}`, () => {
      expect(holds(operator, key, values, extra)).toBe(expected);
    });
  }

  it('ignores a prototype name as a condition key', () => {
    expect(holds('StringEquals', 'constructor', ['x'])).toBe(false);
    expect(holds('StringEquals', 'kms:EncryptionContext:toString', ['x'], ctx({}))).toBe(false);
  });

  it('refuses to compile an operator the policy grammar does not know', () => {
    expect(() => compileClause({ operator: 'StringEqualz', key: 'aws:username', values: ['x'] })).toThrow(
      'unparsed condition operator StringEqualz',
    );
  });
});

describe('condition clauses: AWS documented examples', () => {
  // IAM User Guide, multivalued context keys: a Deny with ForAllValues:StringNotLike {"aws:TagKeys": "key1*"}.
  // Here kms:ResourceAliases plays aws:TagKeys (both are multivalued string keys).
  const aliases = (...resourceAliases: string[]) => ({ resourceAliases });
  const table: Array<[Partial<AuthorizationRequest>, boolean]> = [
    [aliases('key1:legal'), false],
    [aliases('key1:hr', 'key1:personnel'), false],
    [aliases('key2:audit'), true],
    [aliases('key1:hr', 'key2:audit'), false],
    [{}, true],
  ];
  for (const [extra, expected] of table) {
    it(`ForAllValues:StringNotLike key1* on ${JSON.stringify(extra)} → ${expected}`, () => {
      expect(holds('ForAllValues:StringNotLike', 'kms:ResourceAliases', ['key1*'], extra)).toBe(expected);
    });
  }

  it('ForAnyValue:StringNotLike holds when some request value matches none of the policy values', () => {
    expect(holds('ForAnyValue:StringNotLike', 'kms:ResourceAliases', ['key1*'], aliases('key1:a', 'key2:b'))).toBe(
      true,
    );
    expect(holds('ForAnyValue:StringNotLike', 'kms:ResourceAliases', ['key1*'], aliases('key1:a'))).toBe(false);
    expect(holds('ForAnyValue:StringNotLike', 'kms:ResourceAliases', ['key1*'], {})).toBe(false);
  });

  it('a set operator with IfExists holds for an absent key', () => {
    expect(holds('ForAnyValue:StringNotLikeIfExists', 'kms:ResourceAliases', ['key1*'], {})).toBe(true);
    expect(holds('ForAllValues:StringLikeIfExists', 'kms:ResourceAliases', ['key1*'], {})).toBe(true);
    expect(holds('ForAllValues:StringLikeIfExists', 'kms:ResourceAliases', ['key1*'], aliases('key2'))).toBe(false);
  });

  it('without a set operator, a positive operator holds when any request value matches', () => {
    expect(holds('StringEquals', 'kms:ResourceAliases', ['alias/b'], aliases('alias/a', 'alias/b'))).toBe(true);
    expect(holds('StringEquals', 'kms:ResourceAliases', ['alias/c'], aliases('alias/a', 'alias/b'))).toBe(false);
  });

  it('without a set operator, a negated operator holds only when no request value matches', () => {
    expect(holds('StringNotEquals', 'kms:ResourceAliases', ['alias/b'], aliases('alias/a', 'alias/b'))).toBe(false);
    expect(holds('StringNotEquals', 'kms:ResourceAliases', ['alias/b'], aliases('alias/b', 'alias/a'))).toBe(false);
    expect(holds('StringNotEquals', 'kms:ResourceAliases', ['alias/c'], aliases('alias/a', 'alias/b'))).toBe(true);
    expect(holds('StringNotEqualsIfExists', 'kms:ResourceAliases', ['alias/c'], {})).toBe(true);
    expect(holds('NotIpAddressIfExists', 'aws:SourceIp', ['10.0.0.0/8'], { sourceIp: '10.0.0.1' })).toBe(false);
  });

  it('ForAllValues over a positive operator needs every request value to match', () => {
    expect(holds('ForAllValues:StringLike', 'kms:ResourceAliases', ['alias/a*'], aliases('alias/a1', 'alias/a2'))).toBe(
      true,
    );
    expect(holds('ForAllValues:StringLike', 'kms:ResourceAliases', ['alias/a*'], aliases('alias/a1', 'alias/b'))).toBe(
      false,
    );
    expect(holds('ForAllValues:StringLike', 'kms:ResourceAliases', ['alias/a*'], aliases('alias/b', 'alias/a1'))).toBe(
      false,
    );
  });

  it('Null: "true" holds for an absent key, "false" for a present one; several values are ORed', () => {
    expect(holds('Null', 'aws:SourceIp', ['TRUE'], {})).toBe(true);
    expect(holds('Null', 'aws:SourceIp', ['True'], { sourceIp: '10.0.0.1' })).toBe(false);
    expect(holds('Null', 'aws:SourceIp', ['FALSE'], { sourceIp: '10.0.0.1' })).toBe(true);
    expect(holds('Null', 'aws:SourceIp', ['true', 'false'], {})).toBe(true);
    expect(holds('Null', 'aws:SourceIp', ['true', 'false'], { sourceIp: '10.0.0.1' })).toBe(true);
  });
});

describe('compileConditions', () => {
  const user = { operator: 'StringEquals', key: 'aws:username', values: ['alice'] };
  const ip = { operator: 'IpAddress', key: 'aws:SourceIp', values: ['10.0.0.0/8'] };
  const account = { operator: 'StringEquals', key: 'kms:CallerAccount', values: ['111122223333'] };

  it('is null without clauses, so that a statement without a Condition needs no test', () => {
    expect(compileConditions([])).toBeNull();
  });

  it('one clause is that clause', () => {
    const test = compileConditions([ip]);
    expect(test?.({ ...base, sourceIp: '10.0.0.1' })).toBe(true);
    expect(test?.({ ...base, sourceIp: '11.0.0.1' })).toBe(false);
  });

  it('several clauses must all hold, in any order', () => {
    for (const clauses of [
      [user, ip, account],
      [ip, user, account],
      [account, ip, user],
    ]) {
      const test = compileConditions(clauses);
      expect(test?.({ ...base, sourceIp: '10.0.0.1' })).toBe(true);
      expect(test?.({ ...base, sourceIp: '11.0.0.1' })).toBe(false);
      expect(test?.({ ...base, sourceIp: '10.0.0.1', principalArn: 'arn:aws:iam::111122223333:user/bob' })).toBe(false);
      expect(test?.({ ...base, sourceIp: '10.0.0.1', accountId: '999988887777' })).toBe(false);
    }
  });
});
