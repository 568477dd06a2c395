import { describe, expect, it } from 'vitest';
import { defaultKeyPolicy, defaultKeyPolicyText, DEFAULT_KEY_POLICY_ID } from './default-key-policy.js';

describe('the default key policy', () => {
  it('is the text GetKeyPolicy returns for a key created without a policy, byte for byte', () => {
    expect(defaultKeyPolicyText('111122223333')).toBe(`{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`);
    expect(DEFAULT_KEY_POLICY_ID).toBe('key-default-1');
  });

  it('parses to the policy AWS records for a key created without one', () => {
    // /work/shared/reference/aws-recorded-responses.json, ReplicaPolicy of a key created with no policy.
    expect(JSON.parse(defaultKeyPolicyText('111111111111'))).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
  });

  it('is compiled once per account and shared, each account its own', () => {
    const a = defaultKeyPolicy('111122223333');
    expect(defaultKeyPolicy('111122223333')).toBe(a);
    const b = defaultKeyPolicy('444455556666');
    expect(b).not.toBe(a);
    expect([a.delegatesAllTo, b.delegatesAllTo]).toEqual(['111122223333', '444455556666']);
    expect(a.text).toBe(defaultKeyPolicyText('111122223333'));
    expect(a.kind).toBe('key');
  });
});
