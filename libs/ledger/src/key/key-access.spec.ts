import { describe, expect, it } from 'vitest';
import { evaluateAuthorization } from '../authorization/evaluate.js';
import { rolePolicy } from '../authorization/role-policies.js';
import { DomainError } from '../domain-error.js';
import type { KeyAccessEvent } from './key-access-events.js';
import { evolveKeyAccess, initialKeyAccess, type KeyAccess } from './key-access-state.js';
import type { KeyEvent } from './key-events.js';
import { decideInitialKeyPolicy, decidePutKeyPolicy } from './key-policy-decider.js';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';

const ACCOUNT = '111122223333';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const NOW = new Date('2026-03-01T00:00:00.000Z');

const created: KeyEvent = {
  type: 'KeyCreated',
  data: {
    keyId: KEY_ID,
    arn: ARN,
    accountId: ACCOUNT,
    region: 'us-east-1',
    description: '',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    tags: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
};
type Any = KeyEvent | KeyAccessEvent;
const givenKey = (...events: Any[]): KeyAggregate =>
  events.reduce((s, e) => evolveKey(s, e as KeyEvent), initialKeyState());
const givenAccess = (...events: Any[]): KeyAccess => events.reduce(evolveKeyAccess, initialKeyAccess());
const events = <T>(decision: T[] | DomainError): T[] => {
  if (decision instanceof DomainError) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  return decision;
};
const refusal = (decision: unknown): DomainError => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return decision;
};
const admin = { principalArn: ALICE, accountId: ACCOUNT, identityPolicies: [rolePolicy('admin')] };
const ONLY_BOB = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:*', Resource: '*' },
  ],
});
const put = (policy: string, extra: object = {}) => ({ keyArn: ARN, policy, caller: admin, now: NOW, ...extra });

describe('key policy: default from creation', () => {
  it('a created key has the default policy, which delegates to the account', () => {
    const access = givenAccess(created);
    expect(access.exists).toBe(true);
    expect(access.policyChangedAt).toBeNull();
    expect(JSON.parse(access.policyText)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    expect(access.policy.delegatesAllTo).toBe(ACCOUNT);
  });

  it('the lifecycle fold ignores access events', () => {
    const key = givenKey(created);
    const change = events(decidePutKeyPolicy(put(ONLY_BOB, { bypassPolicyLockoutSafetyCheck: true }), key));
    expect(evolveKey(key, change[0] as unknown as KeyEvent)).toBe(key);
  });
});

describe('PutKeyPolicy', () => {
  it('records the document byte for byte, with the bypass flag', () => {
    const text =
      '{ "Statement" : [ {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"} ] }\n';
    const change = events(decidePutKeyPolicy(put(text), givenKey(created)));
    expect(change).toEqual([
      {
        type: 'KeyPolicyChanged',
        data: {
          policyName: 'default',
          policy: text,
          bypassPolicyLockoutSafetyCheck: false,
          changedAt: NOW.toISOString(),
        },
      },
    ]);
    const access = givenAccess(created, ...change);
    expect(access.policyText).toBe(text);
    expect(access.policyChangedAt).toBe(NOW.getTime());
  });

  it('refuses a malformed policy and changes nothing', () => {
    const error = refusal(decidePutKeyPolicy(put('{"Statement": ['), givenKey(created)));
    expect(error.code).toBe('MalformedPolicyDocument');
  });

  it('refuses a policy that locks the caller out, unless bypassed', () => {
    const error = refusal(decidePutKeyPolicy(put(ONLY_BOB), givenKey(created)));
    expect(error.code).toBe('MalformedPolicyDocument');
    expect(error.message).toBe('The new key policy will not allow you to update the key policy in the future.');
    const bypassed = events(
      decidePutKeyPolicy(put(ONLY_BOB, { bypassPolicyLockoutSafetyCheck: true }), givenKey(created)),
    );
    expect(bypassed[0].type === 'KeyPolicyChanged' && bypassed[0].data.bypassPolicyLockoutSafetyCheck).toBe(true);
  });

  it('the new policy decides afterwards: alice is locked out, bob is in', () => {
    const change = events(
      decidePutKeyPolicy(put(ONLY_BOB, { bypassPolicyLockoutSafetyCheck: true }), givenKey(created)),
    );
    const access = givenAccess(created, ...change);
    const ask = (principalArn: string) =>
      evaluateAuthorization({
        request: { principalArn, accountId: ACCOUNT, action: 'kms:Decrypt', resource: ARN, currentTime: NOW.getTime() },
        keyPolicy: access.policy,
        identityPolicies: [rolePolicy('admin')],
      }).decision;
    expect(ask(ALICE)).toBe('IMPLICIT_DENY');
    expect(ask(`arn:aws:iam::${ACCOUNT}:user/bob`)).toBe('ALLOWED');
  });

  it('refuses a policy over 32768 bytes with LimitExceeded', () => {
    const statement = { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' };
    const big = JSON.stringify({ Statement: [statement], Id: 'x'.repeat(32_768) });
    expect(refusal(decidePutKeyPolicy(put(big), givenKey(created))).code).toBe('LimitExceeded');
    const justFits = JSON.stringify({ Statement: [statement], Id: '' });
    const padded = justFits.replace('"Id":""', `"Id":"${'x'.repeat(32_768 - justFits.length)}"`);
    expect(Buffer.byteLength(padded)).toBe(32_768);
    expect(events(decidePutKeyPolicy(put(padded), givenKey(created)))).toHaveLength(1);
  });

  it('knows only the policy name default', () => {
    expect(refusal(decidePutKeyPolicy(put(ONLY_BOB, { policyName: 'other' }), givenKey(created))).code).toBe(
      'NotFound',
    );
    const ok = put(ONLY_BOB, { policyName: 'default', bypassPolicyLockoutSafetyCheck: true });
    expect(events(decidePutKeyPolicy(ok, givenKey(created)))).toHaveLength(1);
  });

  it('refuses a key that does not exist or was deleted', () => {
    expect(refusal(decidePutKeyPolicy(put(ONLY_BOB), initialKeyState())).code).toBe('NotFound');
    const deleted: KeyEvent = { type: 'KeyDeleted', data: { deletedAt: NOW.toISOString(), destroyedShredKeyIds: [] } };
    expect(refusal(decidePutKeyPolicy(put(ONLY_BOB), givenKey(created, deleted))).code).toBe('NotFound');
  });

  it('CreateKey: no policy means no event (the default comes with KeyCreated); a policy is checked the same way', () => {
    expect(events(decideInitialKeyPolicy({ keyArn: ARN, caller: admin, now: NOW }))).toEqual([]);
    expect(refusal(decideInitialKeyPolicy({ keyArn: ARN, policy: ONLY_BOB, caller: admin, now: NOW })).code).toBe(
      'MalformedPolicyDocument',
    );
    const bypassed = decideInitialKeyPolicy({
      keyArn: ARN,
      policy: ONLY_BOB,
      bypassPolicyLockoutSafetyCheck: true,
      caller: admin,
      now: NOW,
    });
    expect(events(bypassed)).toHaveLength(1);
  });

  it('a policy that no longer parses when replayed allows nothing', () => {
    const access = givenAccess(created, {
      type: 'KeyPolicyChanged',
      data: {
        policyName: 'default',
        policy: 'not json',
        bypassPolicyLockoutSafetyCheck: true,
        changedAt: NOW.toISOString(),
      },
    });
    expect(access.policy.statements).toHaveLength(0);
    expect(access.policy.delegatesAllTo).toBeNull();
  });
});
