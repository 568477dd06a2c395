import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { operationAccess, whoCould, type ReviewedPrincipal } from './access-review.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';
import { defaultKeyPolicy } from './default-key-policy.js';
import { rolePolicy } from './role-policies.js';

const ACCOUNT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`;
const user = (n: string) => `arn:aws:iam::${ACCOUNT}:user/${n}`;
const keyPolicy = (...Statement: object[]): CompiledPolicy => {
  const compiled = compilePolicy(JSON.stringify({ Statement }), 'key');
  if (compiled instanceof DomainError) throw compiled;
  return compiled;
};
const principal = (name: string, ...identityPolicies: CompiledPolicy[]): ReviewedPrincipal => ({
  name,
  principalArn: user(name),
  identityPolicies,
});
const identityPolicy = (...Statement: object[]): CompiledPolicy => {
  const compiled = compilePolicy(JSON.stringify({ Statement }), 'identity');
  if (compiled instanceof DomainError) throw compiled;
  return compiled;
};
const ops = (access: ReturnType<typeof whoCould>[number]) =>
  Object.fromEntries(access.operations.map((o) => [o.action, o.decision]));

describe('whoCould', () => {
  it('default policy: each role gets what its identity policy allows, through the account', () => {
    const [admin, keyUser, auditor, nobody] = whoCould(
      { arn: KEY, accountId: ACCOUNT, policy: defaultKeyPolicy(ACCOUNT), grants: [] },
      [
        principal('admin', rolePolicy('admin')),
        principal('app', rolePolicy('key-user')),
        principal('audit', rolePolicy('auditor')),
        principal('nobody'),
      ],
    );
    expect(ops(admin)['kms:PutKeyPolicy']).toBe('ALLOWED');
    expect(ops(keyUser)['kms:Decrypt']).toBe('ALLOWED');
    expect(ops(keyUser)['kms:PutKeyPolicy']).toBeUndefined();
    expect(ops(auditor)['kms:Decrypt']).toBeUndefined();
    expect(ops(auditor)['kms:GetKeyPolicy']).toBe('ALLOWED');
    expect(nobody.operations).toEqual([]);
    const decrypt = keyUser.operations.find((o) => o.action === 'kms:Decrypt');
    expect(decrypt?.allowedBy).toEqual([
      [
        { kind: 'statement', policy: 'key', sid: 'Enable IAM User Permissions', index: 0, conditions: [] },
        { kind: 'statement', policy: 'identity', sid: 'KeyledgerKeyUser', index: 0, conditions: [] },
      ],
    ]);
  });

  it('conditions are reported: a conditional allow or a conditional deny makes the operation CONDITIONAL', () => {
    const condition = { StringEquals: { 'kms:EncryptionContext:app': 'billing' } };
    const policy = keyPolicy(
      {
        Sid: 'AliceWithContext',
        Effect: 'Allow',
        Principal: { AWS: user('alice') },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: condition,
      },
      {
        Sid: 'BobAll',
        Effect: 'Allow',
        Principal: { AWS: user('bob') },
        Action: ['kms:Decrypt', 'kms:Encrypt'],
        Resource: '*',
      },
      {
        Sid: 'NoEncryptFromOutside',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:Encrypt',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
      { Sid: 'NobodyDeletes', Effect: 'Deny', Principal: '*', Action: 'kms:ScheduleKeyDeletion', Resource: '*' },
    );
    const [alice, bob] = whoCould({ arn: KEY, accountId: ACCOUNT, policy, grants: [] }, [
      principal('alice'),
      principal('bob', rolePolicy('admin')),
    ]);
    expect(ops(alice)).toEqual({ 'kms:Decrypt': 'CONDITIONAL' });
    expect(alice.operations[0].allowedBy[0][0]).toMatchObject({
      sid: 'AliceWithContext',
      conditions: [{ operator: 'StringEquals', key: 'kms:EncryptionContext:app', values: ['billing'] }],
    });
    expect(ops(bob)).toEqual({ 'kms:Decrypt': 'ALLOWED', 'kms:Encrypt': 'CONDITIONAL' });
    expect(bob.operations[1].deniedWhen.map((d) => d.kind === 'statement' && d.sid)).toEqual(['NoEncryptFromOutside']);
  });

  it('grants: the grant id, and its constraints for operations that take a context', () => {
    const grants = [
      {
        grantId: 'g1',
        granteePrincipal: user('carol'),
        operations: ['Decrypt', 'DescribeKey'],
        constraints: { EncryptionContextSubset: { a: 'b' } },
      },
      { grantId: 'g2', granteePrincipal: user('carol'), operations: ['Encrypt'], constraints: null },
    ];
    const [carol] = whoCould({ arn: KEY, accountId: ACCOUNT, policy: defaultKeyPolicy(ACCOUNT), grants }, [
      principal('carol'),
    ]);
    expect(ops(carol)).toEqual({
      'kms:Decrypt': 'CONDITIONAL',
      'kms:Encrypt': 'ALLOWED',
      'kms:DescribeKey': 'ALLOWED',
    });
    expect(carol.operations.find((o) => o.action === 'kms:Decrypt')?.allowedBy).toEqual([
      [{ kind: 'grant', grantId: 'g1', constraints: { EncryptionContextSubset: { a: 'b' } } }],
    ]);
  });
});

describe('operationAccess', () => {
  const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
  const account = { Sid: 'Account', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
  const access = (
    policy: CompiledPolicy,
    who: ReviewedPrincipal,
    action = 'kms:Decrypt',
    grants: Parameters<typeof operationAccess>[3] = [],
  ) => operationAccess(KEY, ACCOUNT, policy, grants, who, action);

  it('through the account: each identity statement is its own way in, its conditions reported', () => {
    const conditional = identityPolicy({
      Sid: 'FromOffice',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    });
    const result = access(keyPolicy(account), principal('dave', conditional));
    expect(result).toEqual({
      action: 'kms:Decrypt',
      decision: 'CONDITIONAL',
      allowedBy: [
        [
          { kind: 'statement', policy: 'key', sid: 'Account', index: 0, conditions: [] },
          {
            kind: 'statement',
            policy: 'identity',
            sid: 'FromOffice',
            index: 0,
            conditions: [{ operator: 'IpAddress', key: 'aws:SourceIp', values: ['10.0.0.0/8'] }],
          },
        ],
      ],
      deniedWhen: [],
    });
    const both = access(keyPolicy(account), principal('dave', conditional, rolePolicy('key-user')));
    expect([both?.decision, both?.allowedBy.length]).toEqual(['ALLOWED', 2]);
  });

  it('the account alone, with no identity statement, is no way in; nor is a key statement for someone else', () => {
    expect(access(keyPolicy(account), principal('dave'))).toBeNull();
    const forBob = keyPolicy({ ...account, Principal: { AWS: user('bob') } });
    expect(access(forBob, principal('dave', rolePolicy('admin')))).toBeNull();
  });

  it('an unconditional Deny in an identity policy removes the operation; a conditional one is reported', () => {
    const deny = { Sid: 'NoDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' };
    expect(access(defaultKeyPolicy(ACCOUNT), principal('dave', rolePolicy('admin'), identityPolicy(deny)))).toBeNull();
    const conditional = identityPolicy({ ...deny, Condition: { Null: { 'kms:EncryptionContextKeys': 'true' } } });
    const result = access(defaultKeyPolicy(ACCOUNT), principal('dave', rolePolicy('admin'), conditional));
    expect(result?.decision).toBe('CONDITIONAL');
    expect(result?.deniedWhen).toEqual([
      {
        kind: 'statement',
        policy: 'identity',
        sid: 'NoDecrypt',
        index: 0,
        conditions: [{ operator: 'Null', key: 'kms:EncryptionContextKeys', values: ['true'] }],
      },
    ]);
  });

  it('a key statement naming the caller is a way in alone, not paired with identity statements', () => {
    const direct = keyPolicy({
      Sid: 'Dave',
      Effect: 'Allow',
      Principal: { AWS: user('dave') },
      Action: '*',
      Resource: '*',
    });
    expect(access(direct, principal('dave', rolePolicy('admin')))?.allowedBy).toEqual([
      [{ kind: 'statement', policy: 'key', sid: 'Dave', index: 0, conditions: [] }],
    ]);
  });

  it('one unconditional Deny removes the operation even beside a conditional one', () => {
    const deny = { Sid: 'NoDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' };
    const conditional = identityPolicy({ ...deny, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    for (const denies of [
      [conditional, identityPolicy(deny)],
      [identityPolicy(deny), conditional],
    ]) {
      expect(access(defaultKeyPolicy(ACCOUNT), principal('dave', rolePolicy('admin'), ...denies))).toBeNull();
    }
  });

  it('a grant counts only for its grantee and the operations it lists', () => {
    const grants = [
      { grantId: 'g1', granteePrincipal: user('erin'), operations: ['Encrypt'], constraints: null },
      { grantId: 'g2', granteePrincipal: user('frank'), operations: ['Decrypt'], constraints: null },
    ];
    expect(access(defaultKeyPolicy(ACCOUNT), principal('erin'), 'kms:Decrypt', grants)).toBeNull();
    expect(access(defaultKeyPolicy(ACCOUNT), principal('erin'), 'kms:Encrypt', grants)?.allowedBy).toEqual([
      [{ kind: 'grant', grantId: 'g1', constraints: null }],
    ]);
  });

  it('one free way in makes the operation ALLOWED beside a conditional one', () => {
    const grants = [
      {
        grantId: 'g1',
        granteePrincipal: user('erin'),
        operations: ['Decrypt'],
        constraints: { EncryptionContextEquals: { a: 'b' } },
      },
      { grantId: 'g2', granteePrincipal: user('erin'), operations: ['Decrypt'], constraints: null },
    ];
    const result = access(defaultKeyPolicy(ACCOUNT), principal('erin'), 'kms:Decrypt', grants);
    expect([result?.decision, result?.allowedBy.length]).toEqual(['ALLOWED', 2]);
    expect(access(defaultKeyPolicy(ACCOUNT), principal('erin'), 'kms:Decrypt', [grants[0]])?.decision).toBe(
      'CONDITIONAL',
    );
  });

  it('whoCould asks only the actions it is given', () => {
    const [admin] = whoCould(
      { arn: KEY, accountId: ACCOUNT, policy: defaultKeyPolicy(ACCOUNT), grants: [] },
      [principal('admin', rolePolicy('admin'))],
      ['kms:Decrypt', 'kms:PutKeyPolicy'],
    );
    expect(admin).toMatchObject({ name: 'admin', principalArn: user('admin') });
    expect(ops(admin)).toEqual({ 'kms:Decrypt': 'ALLOWED', 'kms:PutKeyPolicy': 'ALLOWED' });
  });
});
