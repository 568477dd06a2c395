import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';
import { defaultKeyPolicy } from './default-key-policy.js';
import { accessDeniedMessage, evaluateAuthorization, type AuthorizationInput } from './evaluate.js';
import type { ActiveGrant } from './grants.js';
import type { AuthorizationRequest } from './request-context.js';
import { rolePolicy } from './role-policies.js';

// The whole decision, not only its verdict: what decided it is what simulate and the audit report show.
const ACCOUNT = '111122223333';
const OTHER = '999988887777';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

const compiled = (kind: 'key' | 'identity', ...Statement: object[]): CompiledPolicy => {
  const result = compilePolicy(JSON.stringify({ Version: '2012-10-17', Statement }), kind);
  if (result instanceof DomainError) throw result;
  return result;
};
const request = (action: string, extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  principalArn: ALICE,
  accountId: ACCOUNT,
  action,
  resource: KEY,
  currentTime: 0,
  ...extra,
});
const ACCOUNT_ALL = { Sid: 'Account', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
const ALICE_DECRYPT = {
  Sid: 'Alice',
  Effect: 'Allow',
  Principal: { AWS: ALICE },
  Action: 'kms:Decrypt',
  Resource: '*',
};
const KEY_DENY = { Sid: 'KeyDeny', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' };
const IDENTITY_ALLOW = compiled('identity', { Sid: 'IdAllow', Effect: 'Allow', Action: 'kms:*', Resource: '*' });
const IDENTITY_DENY = compiled('identity', { Sid: 'IdDeny', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' });
const grant = (grantId: string, operations: string[]): ActiveGrant => ({
  grantId,
  granteePrincipal: ALICE,
  operations,
  constraints: null,
});
const evaluate = (input: Partial<AuthorizationInput> & Pick<AuthorizationInput, 'keyPolicy'>) =>
  evaluateAuthorization({ request: request('kms:Decrypt'), identityPolicies: [], ...input });

describe('evaluateAuthorization: the whole decision', () => {
  it('an explicit deny names the request, every denying statement (key first) and no allow', () => {
    const result = evaluate({
      keyPolicy: compiled('key', ALICE_DECRYPT, KEY_DENY),
      identityPolicies: [IDENTITY_ALLOW, IDENTITY_DENY],
      grants: [grant('g1', ['Decrypt'])],
      complete: true,
    });
    expect(result).toEqual({
      decision: 'EXPLICIT_DENY',
      action: 'kms:Decrypt',
      resource: KEY,
      principalArn: ALICE,
      allowingStatements: [],
      allowingGrants: [],
      denyingStatements: [
        { policy: 'key', sid: 'KeyDeny', index: 1 },
        { policy: 'identity', sid: 'IdDeny', index: 0 },
      ],
      policyType: 'resource-based',
    });
  });

  it('a deny in an identity policy alone is identity-based', () => {
    const result = evaluate({ keyPolicy: compiled('key', ALICE_DECRYPT), identityPolicies: [IDENTITY_DENY] });
    expect([result.decision, result.policyType, result.denyingStatements]).toEqual([
      'EXPLICIT_DENY',
      'identity-based',
      [{ policy: 'identity', sid: 'IdDeny', index: 0 }],
    ]);
  });

  it('a deny in the key policy alone is resource-based', () => {
    const result = evaluate({ keyPolicy: compiled('key', ALICE_DECRYPT, KEY_DENY), identityPolicies: [] });
    expect([result.decision, result.policyType]).toEqual(['EXPLICIT_DENY', 'resource-based']);
  });

  it('an allow lists the direct statements, then the account statements with the identity statements', () => {
    const result = evaluate({
      keyPolicy: compiled('key', ACCOUNT_ALL, ALICE_DECRYPT),
      identityPolicies: [IDENTITY_ALLOW],
      complete: true,
    });
    expect(result).toEqual({
      decision: 'ALLOWED',
      action: 'kms:Decrypt',
      resource: KEY,
      principalArn: ALICE,
      allowingStatements: [
        { policy: 'key', sid: 'Alice', index: 1, via: 'direct' },
        { policy: 'key', sid: 'Account', index: 0, via: 'account' },
        { policy: 'identity', sid: 'IdAllow', index: 0, via: 'direct' },
      ],
      allowingGrants: [],
      denyingStatements: [],
      policyType: null,
    });
  });

  it('an account statement without an identity allow does not count, even beside a direct allow', () => {
    const result = evaluate({ keyPolicy: compiled('key', ACCOUNT_ALL, ALICE_DECRYPT), complete: true });
    expect(result.allowingStatements).toEqual([{ policy: 'key', sid: 'Alice', index: 1, via: 'direct' }]);
  });

  it('the account allows but no identity policy does: identity-based implicit deny', () => {
    const result = evaluate({ keyPolicy: compiled('key', ACCOUNT_ALL), grants: [grant('g1', ['Encrypt'])] });
    expect(result).toEqual({
      decision: 'IMPLICIT_DENY',
      action: 'kms:Decrypt',
      resource: KEY,
      principalArn: ALICE,
      allowingStatements: [],
      allowingGrants: [],
      denyingStatements: [],
      policyType: 'identity-based',
    });
  });

  it('an identity allow without a key policy statement for the caller: resource-based implicit deny', () => {
    const result = evaluate({ keyPolicy: compiled('key', ALICE_DECRYPT), identityPolicies: [IDENTITY_ALLOW] });
    expect(evaluate({ keyPolicy: compiled('key', ALICE_DECRYPT) }).decision).toBe('ALLOWED');
    const encrypt = evaluateAuthorization({
      request: request('kms:Encrypt'),
      keyPolicy: compiled('key', ALICE_DECRYPT),
      identityPolicies: [IDENTITY_ALLOW],
    });
    expect([result.decision, encrypt.decision, encrypt.policyType]).toEqual([
      'ALLOWED',
      'IMPLICIT_DENY',
      'resource-based',
    ]);
  });

  it('the short path stops at the statements; the complete one adds the grants that also allow', () => {
    const input = { keyPolicy: compiled('key', ALICE_DECRYPT), grants: [grant('g1', ['Decrypt'])] };
    expect(evaluate(input).allowingGrants).toEqual([]);
    expect(evaluate({ ...input, complete: false }).allowingGrants).toEqual([]);
    const complete = evaluate({ ...input, complete: true });
    expect([complete.allowingStatements.map((s) => s.sid), complete.allowingGrants]).toEqual([['Alice'], ['g1']]);
  });

  it('a grant alone allows, named by its id, with no statement', () => {
    const result = evaluate({ keyPolicy: compiled('key', ACCOUNT_ALL), grants: [grant('g1', ['Decrypt'])] });
    expect([result.decision, result.allowingStatements, result.allowingGrants, result.policyType]).toEqual([
      'ALLOWED',
      [],
      ['g1'],
      null,
    ]);
  });

  it('a grant allows only the operations grants can allow', () => {
    // Grants never allow PutKeyPolicy, whatever a (corrupt) grant record lists.
    const result = evaluateAuthorization({
      request: request('kms:PutKeyPolicy'),
      keyPolicy: compiled('key', ACCOUNT_ALL),
      identityPolicies: [],
      grants: [grant('g1', ['PutKeyPolicy'])],
    });
    expect([result.decision, result.allowingGrants]).toEqual(['IMPLICIT_DENY', []]);
    const forOther = evaluateAuthorization({
      request: request('keyledger:Decrypt'),
      keyPolicy: compiled('key', ACCOUNT_ALL),
      identityPolicies: [],
      grants: [grant('g1', ['Decrypt'])],
    });
    expect(forOther.decision).toBe('IMPLICIT_DENY');
  });
});

describe('evaluateAuthorization: the default key policy', () => {
  it('delegates every kms action to the identity policies of its own account only', () => {
    const allowed = evaluate({ keyPolicy: defaultKeyPolicy(ACCOUNT), identityPolicies: [IDENTITY_ALLOW] });
    expect(allowed.allowingStatements).toEqual([
      { policy: 'key', sid: 'Enable IAM User Permissions', index: 0, via: 'account' },
      { policy: 'identity', sid: 'IdAllow', index: 0, via: 'direct' },
    ]);
    const stranger = evaluateAuthorization({
      request: request('kms:Decrypt', { principalArn: `arn:aws:iam::${OTHER}:user/eve`, accountId: OTHER }),
      keyPolicy: defaultKeyPolicy(ACCOUNT),
      identityPolicies: [IDENTITY_ALLOW],
    });
    expect([stranger.decision, stranger.policyType]).toEqual(['IMPLICIT_DENY', 'resource-based']);
  });

  it('does not cover actions outside kms: (the ledger API), even for an admin', () => {
    const result = evaluateAuthorization({
      request: request('keyledger:ReadLedger'),
      keyPolicy: defaultKeyPolicy(ACCOUNT),
      identityPolicies: [rolePolicy('admin')],
    });
    expect([result.decision, result.policyType]).toEqual(['IMPLICIT_DENY', 'resource-based']);
  });
});

describe('evaluateAuthorization: operations on no key', () => {
  it('an identity deny is an identity-based explicit deny', () => {
    const result = evaluateAuthorization({
      request: request('kms:Decrypt', { resource: '*' }),
      keyPolicy: null,
      identityPolicies: [IDENTITY_ALLOW, IDENTITY_DENY],
    });
    expect([result.decision, result.policyType, result.resource]).toEqual(['EXPLICIT_DENY', 'identity-based', '*']);
  });

  it('no identity allow: an identity-based implicit deny that names nothing', () => {
    const result = evaluateAuthorization({
      request: request('kms:CreateKey', { resource: '*' }),
      keyPolicy: null,
      identityPolicies: [rolePolicy('auditor')],
      grants: [grant('g1', ['CreateKey'])],
    });
    expect(result).toEqual({
      decision: 'IMPLICIT_DENY',
      action: 'kms:CreateKey',
      resource: '*',
      principalArn: ALICE,
      allowingStatements: [],
      allowingGrants: [],
      denyingStatements: [],
      policyType: 'identity-based',
    });
  });

  it('an allow names the identity statements, each direct', () => {
    const result = evaluateAuthorization({
      request: request('kms:CreateKey', { resource: '*' }),
      keyPolicy: null,
      identityPolicies: [IDENTITY_ALLOW, rolePolicy('admin')],
    });
    expect([result.decision, result.policyType, result.allowingGrants, result.denyingStatements]).toEqual([
      'ALLOWED',
      null,
      [],
      [],
    ]);
    expect(result.allowingStatements).toEqual([
      { policy: 'identity', sid: 'IdAllow', index: 0, via: 'direct' },
      { policy: 'identity', sid: 'KeyledgerAdmin', index: 0, via: 'direct' },
    ]);
  });
});

describe('accessDeniedMessage', () => {
  const base = evaluate({ keyPolicy: compiled('key', ALICE_DECRYPT, KEY_DENY) });
  const head = `User: ${ALICE} is not authorized to perform: kms:Decrypt on resource: ${KEY}`;

  it('words each of the four denials as AWS does', () => {
    expect(accessDeniedMessage({ ...base, decision: 'EXPLICIT_DENY', policyType: 'resource-based' })).toBe(
      `${head} with an explicit deny in a resource-based policy`,
    );
    expect(accessDeniedMessage({ ...base, decision: 'EXPLICIT_DENY', policyType: 'identity-based' })).toBe(
      `${head} with an explicit deny in an identity-based policy`,
    );
    expect(accessDeniedMessage({ ...base, decision: 'IMPLICIT_DENY', policyType: 'resource-based' })).toBe(
      `${head} because no resource-based policy allows the kms:Decrypt action`,
    );
    expect(accessDeniedMessage({ ...base, decision: 'IMPLICIT_DENY', policyType: 'identity-based' })).toBe(
      `${head} because no identity-based policy allows the kms:Decrypt action`,
    );
  });
});
