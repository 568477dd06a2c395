import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { compilePolicy, matchStatements, type CompiledPolicy } from './compiled-policy.js';
import type { AuthorizationRequest } from './request-context.js';

const ACCOUNT = '111122223333';
const OTHER = '999988887777';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

const compiled = (kind: 'key' | 'identity', ...Statement: object[]): CompiledPolicy => {
  const result = compilePolicy(JSON.stringify({ Version: '2012-10-17', Statement }), kind);
  if (result instanceof DomainError) throw result;
  return result;
};
const request = (extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  principalArn: ALICE,
  accountId: ACCOUNT,
  action: 'kms:Decrypt',
  resource: KEY,
  currentTime: 0,
  ...extra,
});
const statement = { Effect: 'Allow', Action: 'kms:*', Resource: '*' };

describe('compiled principals', () => {
  type Case = [
    name: string,
    principal: object,
    caller: Partial<AuthorizationRequest>,
    via: 'direct' | 'account' | null,
  ];
  const cases: Case[] = [
    ['everyone ("*")', { Principal: '*' }, {}, 'direct'],
    ['everyone ({"AWS":"*"})', { Principal: { AWS: '*' } }, { principalArn: BOB }, 'direct'],
    ['the caller by ARN', { Principal: { AWS: ALICE } }, {}, 'direct'],
    ['another user', { Principal: { AWS: BOB } }, {}, null],
    ['one of a list', { Principal: { AWS: [BOB, ALICE] } }, {}, 'direct'],
    ['the caller and its account: the ARN wins', { Principal: { AWS: [ROOT, ALICE] } }, {}, 'direct'],
    ["the caller's account root", { Principal: { AWS: ROOT } }, {}, 'account'],
    ["the caller's account id", { Principal: { AWS: ACCOUNT } }, {}, 'account'],
    ['another account', { Principal: { AWS: OTHER } }, {}, null],
    ['a caller of another account, by the root of this one', { Principal: { AWS: ROOT } }, { accountId: OTHER }, null],
    ['a service principal', { Principal: { Service: 'cloudtrail.amazonaws.com' } }, {}, null],
    ['NotPrincipal of someone else', { NotPrincipal: { AWS: BOB } }, {}, 'direct'],
    ['NotPrincipal of the caller', { NotPrincipal: { AWS: ALICE } }, {}, null],
    ['NotPrincipal of the caller in a list', { NotPrincipal: { AWS: [BOB, ALICE] } }, {}, null],
    ["NotPrincipal of the caller's account", { NotPrincipal: { AWS: ROOT } }, {}, null],
    ['NotPrincipal of another account', { NotPrincipal: { AWS: OTHER } }, {}, 'direct'],
    ['NotPrincipal of everyone', { NotPrincipal: '*' }, {}, null],
    ['NotPrincipal of a service', { NotPrincipal: { Service: 'cloudtrail.amazonaws.com' } }, {}, 'direct'],
  ];
  for (const [name, principal, caller, via] of cases) {
    it(`${name} → ${via}`, () => {
      const [s] = compiled('key', { ...statement, ...principal }).statements;
      const r = request(caller);
      expect(s.principal(r.principalArn, r.accountId)).toBe(via);
    });
  }

  it('an identity policy statement names no principal: it applies to whoever holds it', () => {
    const [s] = compiled('identity', statement).statements;
    expect(s.principal(BOB, OTHER)).toBe('direct');
  });
});

describe('compiled actions', () => {
  type Case = [element: object, action: string, expected: boolean];
  const cases: Case[] = [
    [{ Action: 'kms:Decrypt' }, 'kms:Decrypt', true],
    [{ Action: 'kms:Decrypt' }, 'kms:decrypt', true],
    [{ Action: 'kms:Decrypt' }, 'kms:Encrypt', false],
    [{ Action: ['kms:Encrypt', 'kms:Decrypt'] }, 'kms:Decrypt', true],
    [{ Action: ['kms:Encrypt', 'kms:Decrypt'] }, 'kms:Encrypt', true],
    [{ Action: ['kms:Encrypt', 'kms:Decrypt'] }, 'kms:Sign', false],
    [{ Action: ['kms:Encrypt', 'kms:Get*'] }, 'kms:GetPublicKey', true],
    [{ Action: '*' }, 'keyledger:ReadLedger', true],
    [{ Action: 'kms:*' }, 'keyledger:ReadLedger', false],
    [{ NotAction: 'kms:Decrypt' }, 'kms:Decrypt', false],
    [{ NotAction: 'kms:Decrypt' }, 'kms:Encrypt', true],
    [{ NotAction: ['kms:Encrypt', 'kms:Decrypt'] }, 'kms:Decrypt', false],
    [{ NotAction: ['kms:Encrypt', 'kms:Decrypt'] }, 'kms:Sign', true],
    [{ NotAction: 'kms:*' }, 'keyledger:ReadLedger', true],
  ];
  for (const [element, action, expected] of cases) {
    it(`${JSON.stringify(element)} on ${action} → ${expected}`, () => {
      const [s] = compiled('identity', { Effect: 'Allow', Resource: '*', ...element }).statements;
      // Asked twice: the second answer comes from the statement's memo and must be the same.
      expect(s.action(action)).toBe(expected);
      expect(s.action(action)).toBe(expected);
    });
  }
});

describe('compiled resources', () => {
  type Case = [element: object, resource: string, expected: boolean];
  const cases: Case[] = [
    [{ Resource: '*' }, KEY, true],
    [{ Resource: '*' }, '*', true],
    [{ Resource: KEY }, KEY, true],
    [{ Resource: KEY }, `${KEY}2`, false],
    [{ Resource: KEY }, '*', false],
    [{ Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` }, KEY, true],
    [{ Resource: `arn:aws:kms:*:${OTHER}:key/*` }, KEY, false],
    [{ Resource: [`arn:aws:kms:*:${OTHER}:key/*`, KEY] }, KEY, true],
    // A resource ARN is matched part by part: a `*` cannot run over the colons.
    [{ Resource: 'arn:aws:kms:*:key/k1' }, KEY, false],
    [{ Resource: 'arn:*' }, KEY, false],
    // A pattern that is no ARN is a plain wildcard pattern.
    [{ Resource: 'arn*' }, KEY, true],
    [{ Resource: '*k1' }, KEY, true],
    [{ Resource: '*k2' }, KEY, false],
    // Resources are compared with their case (actions are not).
    [{ Resource: '*K1' }, KEY, false],
    [{ NotResource: KEY }, KEY, false],
    [{ NotResource: KEY }, `${KEY}2`, true],
    [{ NotResource: [`arn:aws:kms:*:${OTHER}:key/*`, KEY] }, KEY, false],
    [{ NotResource: `arn:aws:kms:*:${OTHER}:key/*` }, KEY, true],
    [{ NotResource: '*' }, KEY, false],
  ];
  for (const [element, resource, expected] of cases) {
    it(`${JSON.stringify(element)} on ${resource} → ${expected}`, () => {
      const [s] = compiled('identity', { Effect: 'Allow', Action: 'kms:*', ...element }).statements;
      expect(s.resource(resource)).toBe(expected);
    });
  }
});

describe('delegatesAllTo (the default key policy, read without walking it)', () => {
  const enableIam = { Sid: 'Enable IAM', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
  const cases: Array<[name: string, statements: object[], expected: string | null]> = [
    ['the default statement', [enableIam], ACCOUNT],
    ['the default statement with an account id', [{ ...enableIam, Principal: { AWS: ACCOUNT } }], ACCOUNT],
    ['the default statement in a list of one', [{ ...enableIam, Principal: { AWS: [ROOT] } }], ACCOUNT],
    ['with Action and Resource as lists of one', [{ ...enableIam, Action: ['kms:*'], Resource: ['*'] }], ACCOUNT],
    ['a second statement', [enableIam, { ...enableIam, Sid: 'Again' }], null],
    ['a Deny', [{ ...enableIam, Effect: 'Deny' }], null],
    ['a condition', [{ ...enableIam, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }], null],
    ['NotPrincipal', [{ ...enableIam, Principal: undefined, NotPrincipal: { AWS: ROOT } }], null],
    ['everyone', [{ ...enableIam, Principal: '*' }], null],
    ['everyone and the root', [{ ...enableIam, Principal: { AWS: ['*', ROOT] } }], null],
    ['two roots', [{ ...enableIam, Principal: { AWS: [ROOT, `arn:aws:iam::${OTHER}:root`] } }], null],
    ['a root and a service', [{ ...enableIam, Principal: { AWS: ROOT, Service: 'cloudtrail.amazonaws.com' } }], null],
    ['a user', [{ ...enableIam, Principal: { AWS: ALICE } }], null],
    ['one action', [{ ...enableIam, Action: 'kms:Decrypt' }], null],
    ['kms:* and another action', [{ ...enableIam, Action: ['kms:*', 'kms:Decrypt'] }], null],
    ['NotAction', [{ ...enableIam, Action: undefined, NotAction: 'kms:*' }], null],
    ['one key', [{ ...enableIam, Resource: KEY }], null],
    ['* and a key', [{ ...enableIam, Resource: ['*', KEY] }], null],
    ['NotResource', [{ ...enableIam, Resource: undefined, NotResource: '*' }], null],
    // A session name may hold colons and slashes: a root ARN inside it is no root principal.
    [
      'an STS session named like a root',
      [{ ...enableIam, Principal: { AWS: `arn:aws:sts::${OTHER}:assumed-role/r/${ROOT}` } }],
      null,
    ],
    ['a user named root', [{ ...enableIam, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/root` } }], null],
    [
      'the root of a partition other than aws',
      [{ ...enableIam, Principal: { AWS: `arn:aws-cn:iam::${ACCOUNT}:root` } }],
      null,
    ],
  ];
  for (const [name, statements, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      expect(compiled('key', ...statements).delegatesAllTo).toBe(expected);
    });
  }
});

describe('compilePolicy', () => {
  it('returns the MalformedPolicyDocument error of a policy that does not parse', () => {
    const result = compilePolicy('{', 'key');
    expect(result).toBeInstanceOf(DomainError);
    expect((result as DomainError).message).toBe('The policy is not in the valid JSON format.');
  });

  it('keeps the text, the document, the kind, and each statement with its Sid and index', () => {
    const text = JSON.stringify({ Statement: [{ Sid: 'A', ...statement }, statement] });
    const policy = compilePolicy(text, 'identity') as CompiledPolicy;
    expect(policy.kind).toBe('identity');
    expect(policy.text).toBe(text);
    expect(policy.document.statements).toHaveLength(2);
    expect(policy.delegatesAllTo).toBeNull();
    expect(policy.statements.map((s) => [s.ref, s.effect])).toEqual([
      [{ policy: 'identity', sid: 'A', index: 0 }, 'Allow'],
      [{ policy: 'identity', sid: null, index: 1 }, 'Allow'],
    ]);
  });
});

describe('matchStatements', () => {
  const policy = compiled(
    'key',
    { Sid: 'AliceDecrypt', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Decrypt', Resource: '*' },
    { Sid: 'AccountAll', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
    {
      Sid: 'OfficeOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:*',
      Resource: '*',
      Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    },
    { Sid: 'OtherKey', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: `${KEY}2` },
  );
  const sids = (r: AuthorizationRequest, options = {}) => {
    const { allows, denies } = matchStatements(policy, r, options);
    return {
      allows: allows.map((m) => `${m.statement.ref.sid}/${m.via}`),
      denies: denies.map((m) => `${m.statement.ref.sid}/${m.via}`),
    };
  };

  it('sorts the statements that apply into allows and denies, each with how it named the caller', () => {
    expect(sids(request({ sourceIp: '10.0.0.1' }))).toEqual({
      allows: ['AliceDecrypt/direct', 'AccountAll/account'],
      denies: [],
    });
    expect(sids(request({ sourceIp: '11.0.0.1' }))).toEqual({
      allows: ['AliceDecrypt/direct', 'AccountAll/account'],
      denies: ['OfficeOnly/direct'],
    });
  });

  it('skips a statement whose action, principal, resource or condition does not apply', () => {
    expect(sids(request({ action: 'kms:Encrypt', sourceIp: '10.0.0.1' })).allows).toEqual(['AccountAll/account']);
    expect(sids(request({ principalArn: BOB, sourceIp: '10.0.0.1' })).allows).toEqual(['AccountAll/account']);
    expect(sids(request({ accountId: OTHER, principalArn: BOB, sourceIp: '10.0.0.1' })).allows).toEqual([]);
    expect(sids(request({ resource: `${KEY}2`, sourceIp: '10.0.0.1' })).denies).toEqual(['OtherKey/direct']);
  });

  it('with ignoreConditions, a statement applies whatever its condition says', () => {
    expect(sids(request({ sourceIp: '10.0.0.1' }), { ignoreConditions: true }).denies).toEqual(['OfficeOnly/direct']);
    expect(sids(request({ sourceIp: '10.0.0.1' }), { ignoreConditions: false }).denies).toEqual([]);
  });
});
