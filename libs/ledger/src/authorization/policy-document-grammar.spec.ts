import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { MAX_KEY_POLICY_BYTES, normalizeAwsPrincipal, parsePolicyDocument, POLICY_TEXTS } from './policy-document.js';

// Every refusal with its exact text: the text is the MalformedPolicyDocumentException message the caller reads.
const ROOT = 'arn:aws:iam::111122223333:root';
const parse = (policy: unknown, kind: 'key' | 'identity' = 'key') =>
  parsePolicyDocument(typeof policy === 'string' ? policy : JSON.stringify(policy), kind);
const refusal = (policy: unknown, kind: 'key' | 'identity' = 'key'): string => {
  const result = parse(policy, kind);
  if (!(result instanceof DomainError)) throw new Error(`accepted: ${JSON.stringify(policy)}`);
  expect(result.code).toBe('MalformedPolicyDocument');
  return result.message;
};
const statement = (extra: object) => ({
  Effect: 'Allow',
  Principal: { AWS: ROOT },
  Action: 'kms:*',
  Resource: '*',
  ...extra,
});
const policy = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

describe('normalizeAwsPrincipal', () => {
  const cases: Array<[string, string | undefined]> = [
    ['*', '*'],
    ['111122223333', ROOT],
    ['11112222333', undefined],
    ['1111222233334', undefined],
    ['x111122223333', undefined],
    [ROOT, ROOT],
    ['arn:aws:iam::111122223333:user/alice', 'arn:aws:iam::111122223333:user/alice'],
    ['arn:aws:iam::111122223333:user/path/to/alice', 'arn:aws:iam::111122223333:user/path/to/alice'],
    ['arn:aws:iam::111122223333:role/app+=,.@-_', 'arn:aws:iam::111122223333:role/app+=,.@-_'],
    ['arn:aws:iam::111122223333:group/admins', 'arn:aws:iam::111122223333:group/admins'],
    ['arn:aws-us-gov:iam::111122223333:root', 'arn:aws-us-gov:iam::111122223333:root'],
    ['arn:aws:sts::111122223333:assumed-role/r/session', 'arn:aws:sts::111122223333:assumed-role/r/session'],
    ['arn:aws:sts::111122223333:federated-user/bob', 'arn:aws:sts::111122223333:federated-user/bob'],
    ['arn:aws:iam::111122223333:user/*', undefined],
    ['arn:aws:iam::111122223333:user/a?', undefined],
    ['arn:aws:iam::*:root', undefined],
    ['arn:aws:iam::111122223333:policy/p', undefined],
    ['arn:aws:iam::111122223333:user/', undefined],
    ['arn:aws:iam::111122223333:user/a b', undefined],
    ['arn:aws:iam::111122223333:rootx', undefined],
    ['x arn:aws:iam::111122223333:root', undefined],
    ['arn:aws:iam::11112222333:root', undefined],
    ['arn:aws:sts::111122223333:role/r', undefined],
    ['arn:aws:sts::111122223333:assumed-role/', undefined],
    ['arn:aws:sts::11112222333:federated-user/bob', undefined],
    ['x arn:aws:sts::111122223333:federated-user/bob', undefined],
    ['arn:aws:sts::111122223333:federated-user/bob smith', undefined],
    ['arn:aws:kms:us-east-1:111122223333:key/k', undefined],
    ['alice', undefined],
    ['', undefined],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${expected}`, () => expect(normalizeAwsPrincipal(value)).toBe(expected));
  }
});

describe('parsePolicyDocument: principals', () => {
  it('keeps service principals apart, in a list or alone', () => {
    const [s] = (
      parse(policy(statement({ Principal: { Service: ['a.amazonaws.com', 'b.amazonaws.com'], AWS: ROOT } }))) as {
        statements: Array<{ principal: unknown }>;
      }
    ).statements;
    expect(s.principal).toEqual({ anyone: false, aws: [ROOT], service: ['a.amazonaws.com', 'b.amazonaws.com'] });
  });

  it('"*" is everyone, with no ARN and no service', () => {
    expect(parse(policy(statement({ Principal: '*' })))).toMatchObject({
      statements: [{ principal: { anyone: true, aws: [], service: [] } }],
    });
    const [s] = (parse(policy(statement({ Principal: '*' }))) as { statements: Array<{ principal: object }> })
      .statements;
    expect(s.principal).toStrictEqual({ anyone: true, aws: [], service: [] });
  });

  it('NotPrincipal is read like Principal', () => {
    const doc = parse(policy(statement({ Principal: undefined, NotPrincipal: { AWS: ['111122223333', '*'] } })));
    expect(doc).toMatchObject({ statements: [{ principal: null, notPrincipal: { anyone: true, aws: [ROOT] } }] });
  });

  for (const principal of [
    { Service: 'cloudtrail' },
    { Service: 'Cloudtrail.amazonaws.com' },
    { Service: 'x.amazonaws.com ' },
    { Service: ['a.amazonaws.com', 7] },
    { Service: [] },
    { AWS: null },
    ['*'],
    null,
    '',
  ]) {
    it(`refuses the principal ${JSON.stringify(principal)}`, () => {
      expect(refusal(policy(statement({ Principal: principal })))).toBe(POLICY_TEXTS.principals);
    });
  }

  it('a key policy statement with NotPrincipal only has a principal; an identity statement may have neither', () => {
    expect(parse(policy(statement({ Principal: undefined, NotPrincipal: { AWS: ROOT } })))).not.toBeInstanceOf(
      DomainError,
    );
    expect(refusal(policy(statement({ Principal: undefined })))).toBe(POLICY_TEXTS.needsPrincipal);
    expect(refusal(policy(statement({ Principal: undefined, NotPrincipal: { AWS: ROOT } })), 'identity')).toBe(
      POLICY_TEXTS.noPrincipal,
    );
  });
});

describe('parsePolicyDocument: refusals, each with its text', () => {
  const cases: Array<[name: string, policy: unknown, message: string]> = [
    ['JSON null', 'null', POLICY_TEXTS.json],
    ['a JSON string', '"policy"', POLICY_TEXTS.json],
    [
      'a Version that is no string',
      { ...policy(statement({})), Version: 2012 },
      'The policy Version must be 2012-10-17 or 2008-10-17.',
    ],
    [
      'an unknown Version',
      { ...policy(statement({})), Version: '2012-10-18' },
      'The policy Version must be 2012-10-17 or 2008-10-17.',
    ],
    ['an Id that is no string', { ...policy(statement({})), Id: 7 }, 'The policy Id must be a string.'],
    ['no Statement', { Id: 'x' }, 'The policy must contain a Statement.'],
    ['an empty Statement list', { Statement: [] }, 'The policy must contain a Statement.'],
    ['a statement that is a string', policy('Allow'), 'Policy contains a statement that is not a JSON object.'],
    ['a statement that is a list', policy([statement({})]), 'Policy contains a statement that is not a JSON object.'],
    [
      'a statement that is null',
      policy(null as unknown as object),
      'Policy contains a statement that is not a JSON object.',
    ],
    [
      'an unknown statement element',
      policy(statement({ Resources: '*' })),
      'Policy contains a statement with an unknown element: Resources.',
    ],
    ['a Sid that is no string', policy(statement({ Sid: 5 })), 'Policy contains a statement with an invalid Sid.'],
    ['a Sid with a quote', policy(statement({ Sid: 'a"b' })), 'Policy contains a statement with an invalid Sid.'],
    ['a Sid with a line break', policy(statement({ Sid: 'a\nb' })), 'Policy contains a statement with an invalid Sid.'],
    ['a Sid with <', policy(statement({ Sid: '<b>' })), 'Policy contains a statement with an invalid Sid.'],
    [
      'no Effect',
      policy(statement({ Effect: undefined })),
      'Policy contains a statement with an invalid Effect: it must be Allow or Deny.',
    ],
    [
      'Effect Deny in lower case',
      policy(statement({ Effect: 'deny' })),
      'Policy contains a statement with an invalid Effect: it must be Allow or Deny.',
    ],
    [
      'both Resource and NotResource',
      policy(statement({ NotResource: '*' })),
      'Policy contains a statement with both Resource and NotResource.',
    ],
    [
      'both Principal and NotPrincipal',
      policy(statement({ NotPrincipal: '*' })),
      'Policy contains a statement with both Principal and NotPrincipal.',
    ],
    [
      'both Action and NotAction',
      policy(statement({ NotAction: '*' })),
      'Policy contains a statement with both Action and NotAction.',
    ],
    [
      'an empty Resource list',
      policy(statement({ Resource: [] })),
      'Policy contains a statement with an empty Resource element.',
    ],
    [
      'an empty Resource string',
      policy(statement({ Resource: '' })),
      'Policy contains a statement with an invalid Resource element.',
    ],
    [
      'a Resource that is a number',
      policy(statement({ Resource: ['*', 5] })),
      'Policy contains a statement with an invalid Resource element.',
    ],
    [
      'an Action that is a number',
      policy(statement({ Action: 5 })),
      'Policy contains a statement with an invalid Action element.',
    ],
    [
      'an empty NotAction list',
      policy(statement({ Action: undefined, NotAction: [] })),
      'Policy contains a statement with an empty Action element.',
    ],
    [
      'an action without a service',
      policy(statement({ Action: 'Decrypt' })),
      'Policy contains an invalid action: Decrypt.',
    ],
    ['an action with an empty name', policy(statement({ Action: 'kms:' })), 'Policy contains an invalid action: kms:.'],
    [
      'an action with a space',
      policy(statement({ Action: ['kms:Decrypt', 'kms:De crypt'] })),
      'Policy contains an invalid action: kms:De crypt.',
    ],
    [
      'an action with two colons',
      policy(statement({ Action: 'kms:Decrypt:x' })),
      'Policy contains an invalid action: kms:Decrypt:x.',
    ],
    [
      'an action with a leading space',
      policy(statement({ Action: ' kms:Decrypt' })),
      'Policy contains an invalid action:  kms:Decrypt.',
    ],
    [
      'an action with a service of underscores',
      policy(statement({ Action: 'k_ms:Decrypt' })),
      'Policy contains an invalid action: k_ms:Decrypt.',
    ],
    [
      'an action name with a hyphen',
      policy(statement({ Action: 'kms:De-crypt' })),
      'Policy contains an invalid action: kms:De-crypt.',
    ],
    [
      'a Condition that is a string',
      policy(statement({ Condition: 'x' })),
      'Policy contains a statement with an invalid Condition element.',
    ],
    [
      'a Condition that is a list',
      policy(statement({ Condition: [] })),
      'Policy contains a statement with an invalid Condition element.',
    ],
    [
      'a Condition that is null',
      policy(statement({ Condition: null })),
      'Policy contains a statement with an invalid Condition element.',
    ],
    [
      'a condition block that is a list',
      policy(statement({ Condition: { StringEquals: ['a'] } })),
      'Policy contains an invalid condition block for StringEquals.',
    ],
    [
      'a condition block that is a string',
      policy(statement({ Condition: { Bool: 'true' } })),
      'Policy contains an invalid condition block for Bool.',
    ],
    [
      'an empty condition key',
      policy(statement({ Condition: { StringEquals: { '': 'a' } } })),
      'Policy contains an invalid condition for StringEquals.',
    ],
    [
      'an empty list of condition values',
      policy(statement({ Condition: { StringLike: { 'kms:x': [] } } })),
      'Policy contains an invalid condition for StringLike.',
    ],
    [
      'a null condition value',
      policy(statement({ Condition: { StringEquals: { 'kms:x': null } } })),
      'Policy contains an invalid value for condition key kms:x.',
    ],
    [
      'a list inside a condition value',
      policy(statement({ Condition: { StringEquals: { 'kms:x': [['a']] } } })),
      'Policy contains an invalid value for condition key kms:x.',
    ],
    [
      'a bad value among good ones',
      policy(statement({ Condition: { NumericLessThan: { 'kms:n': [1, 'x'] } } })),
      'Policy contains an invalid value for NumericLessThan on condition key kms:n: x.',
    ],
    [
      'an unknown operator',
      policy(statement({ Condition: { ForAnyValue: { 'kms:x': 'a' } } })),
      'Policy contains an unknown condition operator: ForAnyValue.',
    ],
  ];
  for (const [name, doc, message] of cases) {
    it(`refuses ${name}`, () => expect(refusal(doc)).toBe(message));
  }
});

describe('parsePolicyDocument: what it accepts', () => {
  it('the 2008 version, a missing version, an Id, Sids of the allowed characters', () => {
    const sid = 'Az09 _.,:;!@#%&*()+=-/';
    const doc = parse({
      Version: '2008-10-17',
      Id: 'key-1',
      Statement: [statement({ Sid: sid }), statement({ Sid: '' })],
    });
    expect(doc).toMatchObject({
      version: '2008-10-17',
      id: 'key-1',
      statements: [
        { sid, index: 0 },
        { sid: '', index: 1 },
      ],
    });
    expect(parse({ Statement: statement({}) })).toMatchObject({ version: null, id: null, statements: [{ sid: null }] });
  });

  it('every element in its long form, and its negative twin', () => {
    const doc = parse(
      policy(
        statement({ Effect: 'Deny', Action: ['kms:Decrypt', 'my-svc:Get?', '*'], Resource: ['*', 'arn:aws:kms:*'] }),
        statement({ Action: undefined, NotAction: 'kms:Decrypt', Resource: undefined, NotResource: 'arn:x' }),
      ),
    );
    expect(doc).toMatchObject({
      statements: [
        {
          index: 0,
          effect: 'Deny',
          action: ['kms:Decrypt', 'my-svc:Get?', '*'],
          notAction: null,
          resource: ['*', 'arn:aws:kms:*'],
          notResource: null,
          conditions: [],
        },
        { index: 1, effect: 'Allow', action: null, notAction: ['kms:Decrypt'], resource: null, notResource: ['arn:x'] },
      ],
    });
  });

  it('condition values: numbers and booleans as text, several keys and operators in order', () => {
    const doc = parse(
      policy(
        statement({
          Condition: {
            StringEquals: { 'kms:a': ['x', 'y'], 'kms:b': '' },
            Bool: { 'aws:c': false },
            'ForAnyValue:NumericLessThanIfExists': { 'kms:d': [1, 2.5] },
          },
        }),
      ),
    );
    expect(doc).toMatchObject({
      statements: [
        {
          conditions: [
            { operator: 'StringEquals', key: 'kms:a', values: ['x', 'y'] },
            { operator: 'StringEquals', key: 'kms:b', values: [''] },
            { operator: 'Bool', key: 'aws:c', values: ['false'] },
            { operator: 'ForAnyValue:NumericLessThanIfExists', key: 'kms:d', values: ['1', '2.5'] },
          ],
        },
      ],
    });
  });

  it('states the key policy size quota AWS documents', () => {
    expect(MAX_KEY_POLICY_BYTES).toBe(32 * 1024);
  });
});
