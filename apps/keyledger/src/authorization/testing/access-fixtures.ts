import type { JsonObject } from '@keyledger/event-store';
import { KEY_ARN, KEY_ID, keyCreated as ledgerKeyCreated } from '@keyledger/ledger/testing';

/** The one key, account and principals of the authorization specs. */
export const ACCOUNT = '111122223333';
export { KEY_ID };
export const ARN = KEY_ARN;
export const user = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;

/** A key policy that allows alice everything and names nobody else. */
export const ONLY_ALICE = JSON.stringify({
  Statement: [{ Sid: 'AliceOnly', Effect: 'Allow', Principal: { AWS: user('alice') }, Action: 'kms:*', Resource: '*' }],
});

/** KEY_ID's creation (a symmetric AWS_KMS key, the default policy): the ledger specs' own fixture. */
export const keyCreated = (createdAt = '2026-01-01T00:00:00.000Z'): { type: string; data: JsonObject } =>
  ledgerKeyCreated('AWS_KMS', { createdAt }) as unknown as { type: string; data: JsonObject };

/** KEY_ID's policy replaced by ONLY_ALICE. */
export const policyChangedToOnlyAlice = (changedAt = '2026-02-01T00:00:00.000Z') => ({
  type: 'KeyPolicyChanged',
  data: { policyName: 'default', policy: ONLY_ALICE, bypassPolicyLockoutSafetyCheck: false, changedAt },
});
