import { describe, expect, it } from 'vitest';
import { matchStatements } from './compiled-policy.js';
import { rolePolicy, ROLE_POLICY_TEXTS, type RoleName } from './role-policies.js';

const allows = (role: RoleName, action: string) =>
  matchStatements(rolePolicy(role), {
    principalArn: 'arn:aws:iam::111122223333:user/alice',
    accountId: '111122223333',
    action,
    resource: 'arn:aws:kms:us-east-1:111122223333:key/k',
    currentTime: 0,
  }).allows.length > 0;

describe('role policies', () => {
  const table: Array<[action: string, admin: boolean, keyUser: boolean, auditor: boolean]> = [
    ['kms:PutKeyPolicy', true, false, false],
    ['kms:CreateKey', true, false, false],
    ['kms:ScheduleKeyDeletion', true, false, false],
    ['kms:GetParametersForImport', true, false, false],
    ['kms:Decrypt', true, true, false],
    ['kms:ReEncryptFrom', true, true, false],
    ['kms:GenerateDataKeyPairWithoutPlaintext', true, true, false],
    ['kms:GenerateRandom', true, true, false],
    ['kms:DeriveSharedSecret', true, true, false],
    ['kms:DescribeKey', true, true, true],
    ['kms:ListGrants', true, true, true],
    ['kms:GetKeyPolicy', true, true, true],
    ['kms:GetKeyRotationStatus', true, true, true],
    ['kms:GetPublicKey', true, true, true],
    ['kms:GetKeyLastUsage', true, true, true],
    ['keyledger:ReadLedger', true, false, true],
  ];
  for (const [action, admin, keyUser, auditor] of table) {
    it(`${action}: admin ${admin}, key-user ${keyUser}, auditor ${auditor}`, () => {
      expect([allows('admin', action), allows('key-user', action), allows('auditor', action)]).toEqual([
        admin,
        keyUser,
        auditor,
      ]);
    });
  }

  it('each role policy is compiled once from its stated text, as an identity policy', () => {
    for (const role of ['admin', 'key-user', 'auditor'] as const) {
      const policy = rolePolicy(role);
      expect(rolePolicy(role)).toBe(policy);
      expect(policy.text).toBe(ROLE_POLICY_TEXTS[role]);
      expect(policy.kind).toBe('identity');
    }
    expect(rolePolicy('admin')).not.toBe(rolePolicy('auditor'));
  });
});
