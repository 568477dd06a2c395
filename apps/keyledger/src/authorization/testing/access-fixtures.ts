import type { JsonObject } from '@keyledger/event-store';

/** The one key, account and principals of the authorization specs. */
export const ACCOUNT = '111122223333';
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
export const user = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;

/** A key policy that allows alice everything and names nobody else. */
export const ONLY_ALICE = JSON.stringify({
  Statement: [{ Sid: 'AliceOnly', Effect: 'Allow', Principal: { AWS: user('alice') }, Action: 'kms:*', Resource: '*' }],
});

/** KEY_ID's creation (a symmetric AWS_KMS key, the default policy), as the store holds it. */
export const keyCreated = (createdAt = '2026-01-01T00:00:00.000Z'): { type: string; data: JsonObject } => ({
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
    createdAt,
  },
});
