import { describe, expect, it } from 'vitest';
import { compileClause } from './conditions.js';
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
});
