import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { parsePolicyDocument, type PolicyDocument } from './policy-document.js';

const ROOT = 'arn:aws:iam::111122223333:root';
const ok = (policy: unknown, kind: 'key' | 'identity' = 'key'): PolicyDocument => {
  const result = parsePolicyDocument(typeof policy === 'string' ? policy : JSON.stringify(policy), kind);
  if (result instanceof DomainError) throw result;
  return result;
};
const refused = (policy: unknown, kind: 'key' | 'identity' = 'key'): string => {
  const result = parsePolicyDocument(typeof policy === 'string' ? policy : JSON.stringify(policy), kind);
  if (!(result instanceof DomainError)) throw new Error('expected MalformedPolicyDocument');
  expect(result.code).toBe('MalformedPolicyDocument');
  return result.message;
};
const stmt = (extra: object) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*', ...extra }],
});

describe('parsePolicyDocument', () => {
  it('normalises shorthand: one statement object, string lists, account ids', () => {
    const doc = ok({
      Id: 'p',
      Statement: { Sid: 'S', Effect: 'Deny', Principal: { AWS: '111122223333' }, Action: 'kms:Decrypt', Resource: '*' },
    });
    expect(doc.id).toBe('p');
    expect(doc.version).toBeNull();
    expect(doc.statements).toHaveLength(1);
    expect(doc.statements[0].principal?.aws).toEqual([ROOT]);
    expect(doc.statements[0].action).toEqual(['kms:Decrypt']);
    expect(doc.statements[0].sid).toBe('S');
  });

  it('accepts Principal "*", {"AWS":"*"}, service principals and conditions of every shape', () => {
    expect(ok(stmt({ Principal: '*' })).statements[0].principal?.anyone).toBe(true);
    expect(ok(stmt({ Principal: { AWS: ['*'] } })).statements[0].principal?.anyone).toBe(true);
    expect(ok(stmt({ Principal: { Service: 'cloudtrail.amazonaws.com' } })).statements[0].principal?.service).toEqual([
      'cloudtrail.amazonaws.com',
    ]);
    const clauses = ok(stmt({ Condition: { NumericLessThan: { 'kms:x': 5 }, Bool: { 'aws:y': true } } })).statements[0]
      .conditions;
    expect(clauses).toEqual([
      { operator: 'NumericLessThan', key: 'kms:x', values: ['5'] },
      { operator: 'Bool', key: 'aws:y', values: ['true'] },
    ]);
  });

  const invalidPrincipals: unknown[] = [
    { AWS: 'arn:aws:iam::111122223333:user/*' },
    { AWS: 'bob' },
    { AWS: '1111' },
    { AWS: [] },
    {},
    { Federated: 'cognito-identity.amazonaws.com' },
    'alice',
    { AWS: 42 },
  ];
  for (const principal of invalidPrincipals) {
    it(`refuses the principal ${JSON.stringify(principal)}`, () => {
      expect(refused(stmt({ Principal: principal }))).toBe(
        'Policy contains a statement with one or more invalid principals.',
      );
    });
  }

  const malformed: Array<[string, unknown, string | RegExp]> = [
    ['bad JSON', '{"Statement": [', 'The policy is not in the valid JSON format.'],
    ['a JSON array', '[]', 'The policy is not in the valid JSON format.'],
    ['an unknown top-level element', { ...stmt({}), Foo: 1 }, /unknown element: Foo/],
    ['an unknown version', { ...stmt({}), Version: '2020-01-01' }, /Version/],
    ['no Statement', { Version: '2012-10-17' }, /Statement/],
    ['an empty Statement list', { Statement: [] }, /Statement/],
    ['an Effect other than Allow/Deny', stmt({ Effect: 'allow' }), /Effect/],
    ['no principal in a key policy', stmt({ Principal: undefined }), /principals/],
    ['both Principal and NotPrincipal', stmt({ NotPrincipal: { AWS: ROOT } }), /both Principal and NotPrincipal/],
    ['no Action', stmt({ Action: undefined }), 'Policy statement must contain actions.'],
    ['both Action and NotAction', stmt({ NotAction: 'kms:Decrypt' }), /both Action and NotAction/],
    ['an invalid action', stmt({ Action: 'Decrypt' }), /invalid action/],
    ['an empty action list', stmt({ Action: [] }), /empty Action/],
    ['no Resource', stmt({ Resource: undefined }), 'Policy statement must contain resources.'],
    [
      'an unknown condition operator',
      stmt({ Condition: { StringEqualz: { 'kms:x': 'a' } } }),
      /unknown condition operator: StringEqualz/,
    ],
    [
      'an unknown set operator',
      stmt({ Condition: { 'ForSomeValues:StringEquals': { 'kms:x': 'a' } } }),
      /unknown condition operator/,
    ],
    ['Null with IfExists', stmt({ Condition: { NullIfExists: { 'kms:x': 'true' } } }), /unknown condition operator/],
    ['a non-numeric Numeric value', stmt({ Condition: { NumericEquals: { 'kms:x': 'five' } } }), /invalid value/],
    [
      'a non-date Date value',
      stmt({ Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }),
      /invalid value/,
    ],
    ['a non-boolean Bool value', stmt({ Condition: { Bool: { 'aws:x': 'yes' } } }), /invalid value/],
    ['a bad CIDR', stmt({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }), /invalid value/],
    ['an object as condition value', stmt({ Condition: { StringEquals: { 'kms:x': { a: 1 } } } }), /invalid value/],
    ['an empty condition block', stmt({ Condition: { StringEquals: {} } }), /invalid condition block/],
    ['an unknown statement element', stmt({ Foo: 'x' }), /unknown element: Foo/],
  ];
  for (const [name, policy, message] of malformed) {
    it(`refuses ${name}`, () => {
      const text = refused(policy);
      if (typeof message === 'string') expect(text).toBe(message);
      else expect(text).toMatch(message);
    });
  }

  it('identity policies must not name a principal', () => {
    expect(refused(stmt({}), 'identity')).toBe('Policy document should not specify a principal.');
    expect(ok(stmt({ Principal: undefined }), 'identity').statements[0].principal).toBeNull();
  });
});
