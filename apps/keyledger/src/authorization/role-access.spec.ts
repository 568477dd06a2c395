import { describe, expect, it } from 'vitest';
import { OPERATION_NAMES } from '@keyledger/kms-api';
import {
  authorizationRequests,
  defaultKeyPolicy,
  evaluateAuthorization,
  OPERATIONS_ON_NO_KEY,
  rolePolicy,
  type RoleName,
} from '@keyledger/ledger';

const ACCOUNT = '111122223333';
const KEY = {
  arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  origin: 'AWS_KMS',
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  aliases: [],
};

/** What each role may call on a key with AWS's default key policy (which delegates to identity policies). */
function allowed(role: RoleName): string[] {
  return OPERATION_NAMES.filter((operation) =>
    authorizationRequests({
      operation,
      input: {},
      principalArn: `arn:aws:iam::${ACCOUNT}:user/someone`,
      accountId: ACCOUNT,
      now: 0,
      ...(OPERATIONS_ON_NO_KEY.has(operation) ? {} : { key: KEY }),
    }).every(
      (request) =>
        evaluateAuthorization({
          request,
          keyPolicy: request.resource === '*' ? null : defaultKeyPolicy(ACCOUNT),
          identityPolicies: [rolePolicy(role)],
        }).decision === 'ALLOWED',
    ),
  ).sort();
}

const CRYPTO = [
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateRandom',
  'Sign',
  'Verify',
  'GetPublicKey',
  'GenerateMac',
  'VerifyMac',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'DeriveSharedSecret',
];
/** The reads of the role table before key policies, plus the grant and policy listings that came with them. */
const READS = [
  'DescribeKey',
  'ListKeys',
  'ListAliases',
  'GetKeyRotationStatus',
  'ListKeyRotations',
  'ListResourceTags',
  'GetKeyPolicy',
  'GetKeyLastUsage',
  'ListKeyPolicies',
  'ListGrants',
  'ListRetirableGrants',
];

describe("today's roles as identity policies keep their access under the default key policy", () => {
  it('admin may call every operation', () => {
    expect(allowed('admin')).toEqual([...OPERATION_NAMES].sort());
  });

  it('key-user: the cryptographic operations and the reads, nothing that changes a key or its access', () => {
    expect(allowed('key-user')).toEqual([...CRYPTO, ...READS].sort());
  });

  it('auditor: the reads and GetPublicKey (a Get), no cryptographic operation', () => {
    expect(allowed('auditor')).toEqual([...READS, 'GetPublicKey'].sort());
  });
});
