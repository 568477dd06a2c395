import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { whoCould, type ReviewedPrincipal } from './access-review.js';
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
