import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';
import { defaultKeyPolicy } from './default-key-policy.js';
import { accessDeniedMessage, evaluateAuthorization, type DecisionKind } from './evaluate.js';
import type { ActiveGrant } from './grants.js';
import { lockoutCheck } from './lockout.js';
import type { AuthorizationRequest } from './request-context.js';
import { rolePolicy } from './role-policies.js';

const ACCOUNT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const ALICE = user('alice');
const BOB = user('bob');

const compiled = (policy: object, kind: 'key' | 'identity'): CompiledPolicy => {
  const result = compilePolicy(JSON.stringify(policy), kind);
  if (result instanceof DomainError) throw result;
  return result;
};
const keyPolicy = (...Statement: object[]) => compiled({ Version: '2012-10-17', Statement }, 'key');
const identity = (...Statement: object[]) => compiled({ Version: '2012-10-17', Statement }, 'identity');
const request = (action: string, extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  principalArn: ALICE,
  accountId: ACCOUNT,
  action,
  resource: KEY,
  currentTime: Date.parse('2026-06-01T12:00:00Z'),
  ...extra,
});

// Statements from the AWS KMS developer guide (default key policy and the console's statements).
const KEY_ADMINS = {
  Sid: 'Allow access for Key Administrators',
  Effect: 'Allow',
  Principal: { AWS: user('keyadmin') },
  Action: [
    'kms:Create*',
    'kms:Describe*',
    'kms:Enable*',
    'kms:List*',
    'kms:Put*',
    'kms:Update*',
    'kms:Revoke*',
    'kms:Disable*',
    'kms:Get*',
    'kms:Delete*',
    'kms:TagResource',
    'kms:UntagResource',
    'kms:ScheduleKeyDeletion',
    'kms:CancelKeyDeletion',
    'kms:RotateKeyOnDemand',
  ],
  Resource: '*',
};
const KEY_USERS = {
  Sid: 'Allow use of the key',
  Effect: 'Allow',
  Principal: { AWS: [ALICE] },
  Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
  Resource: '*',
};

interface Row {
  name: string;
  key: CompiledPolicy | null;
  identities?: CompiledPolicy[];
  grants?: ActiveGrant[];
  request: AuthorizationRequest;
  expect: DecisionKind;
  by?: Array<string | null>;
  grantIds?: string[];
  message?: string;
}

const rows: Row[] = [
  {
    name: 'a grant allows a principal with no policy at all',
    key: defaultKeyPolicy(ACCOUNT),
    grants: [
      {
        grantId: 'g-1',
        granteePrincipal: BOB,
        operations: ['Decrypt'],
        constraints: { EncryptionContextSubset: { Dept: 'IT' } },
      },
    ],
    request: request('kms:Decrypt', { principalArn: BOB, encryptionContext: { dept: 'IT', extra: '1' } }),
    expect: 'ALLOWED',
    grantIds: ['g-1'],
  },
  {
    name: 'a grant whose subset constraint does not hold does not allow',
    key: defaultKeyPolicy(ACCOUNT),
    grants: [
      {
        grantId: 'g-1',
        granteePrincipal: BOB,
        operations: ['Decrypt'],
        constraints: { EncryptionContextSubset: { Dept: 'IT' } },
      },
    ],
    request: request('kms:Decrypt', { principalArn: BOB, encryptionContext: { Dept: 'it' } }),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'a grant does not allow an operation it does not list',
    key: defaultKeyPolicy(ACCOUNT),
    grants: [{ grantId: 'g-1', granteePrincipal: BOB, operations: ['Decrypt'], constraints: null }],
    request: request('kms:Encrypt', { principalArn: BOB }),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'a grant for alice does not allow bob',
    key: defaultKeyPolicy(ACCOUNT),
    grants: [{ grantId: 'g-1', granteePrincipal: ALICE, operations: ['Decrypt'], constraints: null }],
    request: request('kms:Decrypt', { principalArn: BOB }),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'grant constraints do not apply to DescribeKey',
    key: defaultKeyPolicy(ACCOUNT),
    grants: [
      {
        grantId: 'g-1',
        granteePrincipal: BOB,
        operations: ['DescribeKey'],
        constraints: { EncryptionContextEquals: { a: 'b' } },
      },
    ],
    request: request('kms:DescribeKey', { principalArn: BOB }),
    expect: 'ALLOWED',
  },
  {
    name: 'operation on no key: identity policy alone (allowed)',
    key: null,
    identities: [rolePolicy('admin')],
    request: request('kms:CreateKey', { resource: '*' }),
    expect: 'ALLOWED',
    by: ['KeyledgerAdmin'],
  },
  {
    name: 'operation on no key: key-user may not CreateKey',
    key: null,
    identities: [rolePolicy('key-user')],
    request: request('kms:CreateKey', { resource: '*' }),
    expect: 'IMPLICIT_DENY',
    message: `User: ${ALICE} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`,
  },
  {
    name: 'identity statement on a key ARN does not cover an operation on no key',
    key: null,
    identities: [identity({ Effect: 'Allow', Action: 'kms:ListKeys', Resource: KEY })],
    request: request('kms:ListKeys', { resource: '*' }),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'role key-user decrypts under the default policy',
    key: defaultKeyPolicy(ACCOUNT),
    identities: [rolePolicy('key-user')],
    request: request('kms:Decrypt'),
    expect: 'ALLOWED',
  },
  {
    name: 'role auditor cannot decrypt',
    key: defaultKeyPolicy(ACCOUNT),
    identities: [rolePolicy('auditor')],
    request: request('kms:Decrypt'),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'role auditor may GetKeyPolicy but not GetParametersForImport',
    key: defaultKeyPolicy(ACCOUNT),
    identities: [rolePolicy('auditor')],
    request: request('kms:GetKeyPolicy'),
    expect: 'ALLOWED',
  },
  {
    name: 'role key-user cannot GetParametersForImport',
    key: defaultKeyPolicy(ACCOUNT),
    identities: [rolePolicy('key-user')],
    request: request('kms:GetParametersForImport'),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'action names are compared without case',
    key: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'KMS:decrypt', Resource: '*' }),
    request: request('kms:Decrypt'),
    expect: 'ALLOWED',
  },
  {
    name: 'aws:SourceIp with IpAddress',
    key: keyPolicy({
      Sid: 'Office',
      Effect: 'Allow',
      Principal: { AWS: ALICE },
      Action: 'kms:*',
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    }),
    request: request('kms:Decrypt', { sourceIp: '192.168.1.1' }),
    expect: 'IMPLICIT_DENY',
  },
];

describe('evaluateAuthorization: grants, operations on no key, roles (table)', () => {
  for (const row of rows) {
    it(row.name, () => {
      const input = {
        request: row.request,
        keyPolicy: row.key,
        identityPolicies: row.identities ?? [],
        grants: row.grants ?? [],
        complete: true,
      };
      const result = evaluateAuthorization(input);
      expect(result.decision).toBe(row.expect);
      if (row.by !== undefined) expect(result.allowingStatements.map((s) => s.sid)).toEqual(row.by);
      if (row.grantIds !== undefined) expect(result.allowingGrants).toEqual(row.grantIds);
      if (row.message !== undefined) expect(accessDeniedMessage(result)).toBe(row.message);
      // The short path (first reason only) reaches the same verdict.
      expect(evaluateAuthorization({ ...input, complete: false }).decision).toBe(row.expect);
    });
  }
});

describe('lockoutCheck', () => {
  const caller = { principalArn: ALICE, accountId: ACCOUNT, resource: KEY, currentTime: Date.now() };

  it('refuses a policy that would not let the caller put the policy again', () => {
    const error = lockoutCheck(keyPolicy(KEY_USERS), caller, [rolePolicy('admin')], false);
    expect(error?.code).toBe('MalformedPolicyDocument');
    expect(error?.message).toBe('The new key policy will not allow you to update the key policy in the future.');
  });

  it('accepts the default policy for an admin, and refuses it for a key-user', () => {
    expect(lockoutCheck(defaultKeyPolicy(ACCOUNT), caller, [rolePolicy('admin')], false)).toBeNull();
    expect(lockoutCheck(defaultKeyPolicy(ACCOUNT), caller, [rolePolicy('key-user')], false)?.code).toBe(
      'MalformedPolicyDocument',
    );
  });

  it('accepts a policy that names the caller directly, and anything when bypassed', () => {
    const admins = keyPolicy({ ...KEY_ADMINS, Principal: { AWS: ALICE } });
    expect(lockoutCheck(admins, caller, [], false)).toBeNull();
    expect(lockoutCheck(keyPolicy(KEY_USERS), caller, [], true)).toBeNull();
  });
});
