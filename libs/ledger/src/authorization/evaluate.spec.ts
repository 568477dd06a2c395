import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';
import { defaultKeyPolicy, defaultKeyPolicyText } from './default-key-policy.js';
import { accessDeniedMessage, evaluateAuthorization, type DecisionKind } from './evaluate.js';
import type { ActiveGrant } from './grants.js';
import type { AuthorizationRequest } from './request-context.js';

const ACCOUNT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const ALICE = user('alice');
const BOB = user('bob');
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

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

const ALLOW_ALL_IAM = identity({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });

// Statements from the AWS KMS developer guide (default key policy and the console's statements).
const ENABLE_IAM = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: ROOT },
  Action: 'kms:*',
  Resource: '*',
};
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
const PERSISTENT = {
  Sid: 'Allow attachment of persistent resources',
  Effect: 'Allow',
  Principal: { AWS: [ALICE] },
  Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
  Resource: '*',
  Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
};
const DENY_DECRYPT_WITHOUT_CONTEXT = {
  Sid: 'DenyDecryptWithoutContext',
  Effect: 'Deny',
  Principal: '*',
  Action: 'kms:Decrypt',
  Resource: '*',
  Condition: { Null: { 'kms:EncryptionContextKeys': 'true' } },
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
    name: 'default policy + identity allow: allowed through the account',
    key: defaultKeyPolicy(ACCOUNT),
    identities: [ALLOW_ALL_IAM],
    request: request('kms:Decrypt'),
    expect: 'ALLOWED',
    by: ['Enable IAM User Permissions', null],
  },
  {
    name: 'default policy without an identity allow: no identity-based policy allows',
    key: defaultKeyPolicy(ACCOUNT),
    identities: [],
    request: request('kms:Decrypt'),
    expect: 'IMPLICIT_DENY',
    message: `User: ${ALICE} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`,
  },
  {
    name: 'default policy of another account: no resource-based policy allows',
    key: defaultKeyPolicy('999988887777'),
    identities: [ALLOW_ALL_IAM],
    request: request('kms:Decrypt'),
    expect: 'IMPLICIT_DENY',
    message: `User: ${ALICE} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no resource-based policy allows the kms:Decrypt action`,
  },
  {
    name: 'key users statement allows alice directly, with no identity policy',
    key: keyPolicy(KEY_ADMINS, KEY_USERS),
    request: request('kms:GenerateDataKeyWithoutPlaintext'),
    expect: 'ALLOWED',
    by: ['Allow use of the key'],
  },
  {
    name: 'key users statement does not name bob, whose identity allows everything',
    key: keyPolicy(KEY_ADMINS, KEY_USERS),
    identities: [ALLOW_ALL_IAM],
    request: request('kms:Decrypt', { principalArn: BOB }),
    expect: 'IMPLICIT_DENY',
    message: `User: ${BOB} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no resource-based policy allows the kms:Decrypt action`,
  },
  {
    name: 'key administrators: kms:Put* covers PutKeyPolicy',
    key: keyPolicy(KEY_ADMINS),
    request: request('kms:PutKeyPolicy', { principalArn: user('keyadmin') }),
    expect: 'ALLOWED',
    by: ['Allow access for Key Administrators'],
  },
  {
    name: 'key administrators cannot decrypt',
    key: keyPolicy(KEY_ADMINS),
    request: request('kms:Decrypt', { principalArn: user('keyadmin') }),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'persistent resources: GrantIsForAWSResource false does not allow CreateGrant',
    key: keyPolicy(PERSISTENT),
    request: request('kms:CreateGrant', { grantIsForAwsResource: false }),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'persistent resources: GrantIsForAWSResource true allows CreateGrant',
    key: keyPolicy(PERSISTENT),
    request: request('kms:CreateGrant', { grantIsForAwsResource: true }),
    expect: 'ALLOWED',
  },
  {
    name: 'explicit deny in the key policy wins over a direct allow',
    key: keyPolicy(KEY_USERS, DENY_DECRYPT_WITHOUT_CONTEXT),
    request: request('kms:Decrypt'),
    expect: 'EXPLICIT_DENY',
    message: `User: ${ALICE} is not authorized to perform: kms:Decrypt on resource: ${KEY} with an explicit deny in a resource-based policy`,
  },
  {
    name: 'the deny on missing context does not apply when a context is given',
    key: keyPolicy(KEY_USERS, DENY_DECRYPT_WITHOUT_CONTEXT),
    request: request('kms:Decrypt', { encryptionContext: { app: 'x' } }),
    expect: 'ALLOWED',
  },
  {
    name: 'explicit deny in an identity policy wins over the key policy',
    key: keyPolicy(KEY_USERS),
    identities: [identity({ Sid: 'NoDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' })],
    request: request('kms:Decrypt'),
    expect: 'EXPLICIT_DENY',
    message: `User: ${ALICE} is not authorized to perform: kms:Decrypt on resource: ${KEY} with an explicit deny in an identity-based policy`,
  },
  {
    name: 'explicit deny wins over a grant',
    key: keyPolicy(ENABLE_IAM, DENY_DECRYPT_WITHOUT_CONTEXT),
    grants: [{ grantId: 'g1', granteePrincipal: ALICE, operations: ['Decrypt'], constraints: null }],
    request: request('kms:Decrypt'),
    expect: 'EXPLICIT_DENY',
  },
  {
    name: 'identity allow on another key ARN does not apply',
    key: defaultKeyPolicy(ACCOUNT),
    identities: [
      identity({ Effect: 'Allow', Action: 'kms:*', Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/other` }),
    ],
    request: request('kms:Decrypt'),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'identity allow with a wildcard ARN applies',
    key: defaultKeyPolicy(ACCOUNT),
    identities: [
      identity({ Sid: 'AnyKeyHere', Effect: 'Allow', Action: 'kms:De*', Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` }),
    ],
    request: request('kms:Decrypt'),
    expect: 'ALLOWED',
    by: ['Enable IAM User Permissions', 'AnyKeyHere'],
  },
  {
    name: 'NotAction: everything but Decrypt',
    key: keyPolicy({
      Sid: 'AllButDecrypt',
      Effect: 'Allow',
      Principal: { AWS: ALICE },
      NotAction: 'kms:Decrypt',
      Resource: '*',
    }),
    request: request('kms:Decrypt'),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'NotAction allows other actions',
    key: keyPolicy({
      Sid: 'AllButDecrypt',
      Effect: 'Allow',
      Principal: { AWS: ALICE },
      NotAction: 'kms:Decrypt',
      Resource: '*',
    }),
    request: request('kms:Encrypt'),
    expect: 'ALLOWED',
  },
  {
    name: 'NotPrincipal deny: everyone but alice is refused',
    key: keyPolicy(
      { Sid: 'All', Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' },
      { Sid: 'OnlyAlice', Effect: 'Deny', NotPrincipal: { AWS: ALICE }, Action: 'kms:Decrypt', Resource: '*' },
    ),
    request: request('kms:Decrypt', { principalArn: BOB }),
    expect: 'EXPLICIT_DENY',
    by: [],
  },
  {
    name: 'NotPrincipal deny: alice is not refused',
    key: keyPolicy(
      { Sid: 'All', Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' },
      { Sid: 'OnlyAlice', Effect: 'Deny', NotPrincipal: { AWS: ALICE }, Action: 'kms:Decrypt', Resource: '*' },
    ),
    request: request('kms:Decrypt'),
    expect: 'ALLOWED',
    by: ['All'],
  },
  {
    name: 'an account id principal is the account root: delegation',
    key: keyPolicy({ Sid: 'Acct', Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' }),
    identities: [ALLOW_ALL_IAM],
    request: request('kms:Encrypt'),
    expect: 'ALLOWED',
  },
  {
    name: 'encryption context condition (StringEquals kms:EncryptionContext:AppName)',
    key: keyPolicy({
      Sid: 'AppOnly',
      Effect: 'Allow',
      Principal: { AWS: ALICE },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:AppName': 'ExampleApp' } },
    }),
    request: request('kms:Decrypt', { encryptionContext: { AppName: 'ExampleApp' } }),
    expect: 'ALLOWED',
  },
  {
    name: 'encryption context condition: the context key is compared with its case',
    key: keyPolicy({
      Sid: 'AppOnly',
      Effect: 'Allow',
      Principal: { AWS: ALICE },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:AppName': 'ExampleApp' } },
    }),
    request: request('kms:Decrypt', { encryptionContext: { appname: 'ExampleApp' } }),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'ForAllValues:StringEquals on kms:EncryptionContextKeys refuses an extra key',
    key: keyPolicy({
      Effect: 'Allow',
      Principal: { AWS: ALICE },
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['AppName', 'FilePath'] } },
    }),
    request: request('kms:Encrypt', { encryptionContext: { AppName: 'a', Other: 'b' } }),
    expect: 'IMPLICIT_DENY',
  },
  {
    name: 'kms:CallerAccount with kms:ViaService absent: StringEquals fails',
    key: keyPolicy({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
    }),
    request: request('kms:Decrypt'),
    expect: 'IMPLICIT_DENY',
  },
];

describe('evaluateAuthorization (table)', () => {
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

  it('names the denying statements, with Sid and index', () => {
    const result = evaluateAuthorization({
      request: request('kms:Decrypt'),
      keyPolicy: keyPolicy(KEY_USERS, DENY_DECRYPT_WITHOUT_CONTEXT),
      identityPolicies: [],
    });
    expect(result.denyingStatements).toEqual([{ policy: 'key', sid: 'DenyDecryptWithoutContext', index: 1 }]);
  });

  it('reads the default policy as a delegation to the account', () => {
    expect(defaultKeyPolicy(ACCOUNT).delegatesAllTo).toBe(ACCOUNT);
    expect(keyPolicy(ENABLE_IAM, KEY_USERS).delegatesAllTo).toBeNull();
    expect(keyPolicy({ ...ENABLE_IAM, Condition: { Bool: { 'aws:x': 'true' } } }).delegatesAllTo).toBeNull();
    expect(keyPolicy({ ...ENABLE_IAM, Effect: 'Deny' }).delegatesAllTo).toBeNull();
    expect(keyPolicy({ ...ENABLE_IAM, Action: 'kms:Decrypt' }).delegatesAllTo).toBeNull();
    expect(keyPolicy({ ...ENABLE_IAM, Principal: { AWS: ALICE } }).delegatesAllTo).toBeNull();
  });

  it('the default policy text parses to what its fast path assumes', () => {
    const result = compilePolicy(defaultKeyPolicyText(ACCOUNT), 'key');
    if (result instanceof DomainError) throw result;
    expect(result.document.id).toBe('key-default-1');
    expect(result.document.statements[0].sid).toBe('Enable IAM User Permissions');
    const walked = evaluateAuthorization({
      request: request('kms:Decrypt'),
      keyPolicy: { ...result, delegatesAllTo: null },
      identityPolicies: [ALLOW_ALL_IAM],
    });
    expect(walked.decision).toBe('ALLOWED');
  });
});
