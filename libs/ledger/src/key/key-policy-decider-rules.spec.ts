import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyEvent } from './key-events.js';
import { decideInitialKeyPolicy, decidePutKeyPolicy, policyNameError } from './key-policy-decider.js';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';

// Given a key, when PutKeyPolicy (or CreateKey's Policy), then the change or a refusal with AWS's text. The
// lockout check judges the new policy against the request as it stands: its source address, its time, its key.
const ACCOUNT = '111122223333';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const NOW = new Date('2026-03-01T00:00:00.000Z');
const LOCKOUT = 'The new key policy will not allow you to update the key policy in the future.';

const key: KeyAggregate = evolveKey(initialKeyState(), {
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
} satisfies KeyEvent);
// Alice has no identity policy: only the key policy can let her put the next one.
const alice = (sourceIp?: string) => ({
  principalArn: ALICE,
  accountId: ACCOUNT,
  identityPolicies: [],
  ...(sourceIp === undefined ? {} : { sourceIp }),
});
const aliceMay = (extra: Record<string, unknown>) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:PutKeyPolicy', ...extra }],
  });
const refusal = (decision: unknown): { code: string; message: string } => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return { code: decision.code, message: decision.message };
};
const put = (policy: string, sourceIp?: string, now = NOW) =>
  decidePutKeyPolicy({ keyArn: 'ignored: the key names itself', policy, caller: alice(sourceIp), now }, key);

describe('the lockout check judges the request as it stands', () => {
  it('given a policy that lets her in only from 10.0.0.0/8, accepts it from 10.1.2.3 and refuses it from elsewhere', () => {
    const policy = aliceMay({ Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    expect(put(policy, '10.1.2.3')).toHaveLength(1);
    expect(refusal(put(policy, '192.0.2.1'))).toEqual({ code: 'MalformedPolicyDocument', message: LOCKOUT });
    expect(refusal(put(policy))).toEqual({ code: 'MalformedPolicyDocument', message: LOCKOUT });
  });

  it('given a policy that lets her in only after a date, accepts it after and refuses it before', () => {
    const policy = aliceMay({
      Resource: '*',
      Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-02-01T00:00:00Z' } },
    });
    expect(put(policy)).toHaveLength(1);
    expect(refusal(put(policy, undefined, new Date('2026-01-15T00:00:00Z')))).toEqual({
      code: 'MalformedPolicyDocument',
      message: LOCKOUT,
    });
  });

  it('given a policy that names this key as its resource, accepts it; another key, refuses it', () => {
    expect(put(aliceMay({ Resource: ARN }))).toHaveLength(1);
    expect(refusal(put(aliceMay({ Resource: ARN.replace('1234abcd', '9999abcd') }))).code).toBe(
      'MalformedPolicyDocument',
    );
  });

  it('CreateKey judges against the key being created', () => {
    const policy = aliceMay({ Resource: ARN });
    expect(decideInitialKeyPolicy({ keyArn: ARN, policy, caller: alice(), now: NOW })).toHaveLength(1);
    const other = { keyArn: ARN.replace('1234abcd', '9999abcd'), policy, caller: alice(), now: NOW };
    expect(refusal(decideInitialKeyPolicy(other)).code).toBe('MalformedPolicyDocument');
  });
});

describe('PutKeyPolicy refusals, with their texts', () => {
  it('a policy over 32768 bytes, counted in UTF-8 bytes, not characters', () => {
    const base = aliceMay({ Resource: '*', Sid: '' });
    // 'é' is two bytes: the document is under 32768 characters and over 32768 bytes.
    const wide = base.replace('"Sid":""', `"Sid":"${'é'.repeat((32_769 - base.length) / 2 + 1)}"`);
    expect(wide.length).toBeLessThanOrEqual(32_768);
    expect(refusal(put(wide))).toEqual({
      code: 'LimitExceeded',
      message: 'The key policy exceeds the quota of 32768 bytes.',
    });
  });

  it('a policy name other than default, naming it', () => {
    expect(policyNameError(undefined)).toBeUndefined();
    expect(policyNameError('default')).toBeUndefined();
    expect(refusal(policyNameError('Default'))).toEqual({
      code: 'NotFound',
      message: "Policy 'Default' does not exist: the only key policy name is default.",
    });
  });

  it('a statement without a principal: a key policy must name one (an identity policy must not)', () => {
    const noPrincipal = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] });
    expect(refusal(put(noPrincipal))).toEqual({
      code: 'MalformedPolicyDocument',
      message: 'Each statement in the key policy must contain one or more principals.',
    });
  });

  it('records the bypass flag false when it was not given as true', () => {
    const [change] = put(aliceMay({ Resource: '*' })) as Array<{ data: { bypassPolicyLockoutSafetyCheck: boolean } }>;
    expect(change!.data.bypassPolicyLockoutSafetyCheck).toBe(false);
  });
});
