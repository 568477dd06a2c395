import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';

/**
 * Keyledger's three roles as IAM identity policies (stated in the README). `keyledger:*` names the ledger
 * API under /v1. GetParametersForImport is left out of the readers' Get actions: it issues an import token,
 * a change recorded on the key, so it stays with admins as before.
 */
export type RoleName = 'admin' | 'key-user' | 'auditor';

const READ_ACTIONS = [
  'kms:Describe*',
  'kms:List*',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:GetPublicKey',
  'kms:GetKeyLastUsage',
];

const CRYPTOGRAPHIC_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:GenerateRandom',
  'kms:Sign',
  'kms:Verify',
  'kms:GenerateMac',
  'kms:VerifyMac',
  'kms:DeriveSharedSecret',
];

const policy = (sid: string, actions: string[]): string =>
  JSON.stringify(
    { Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Action: actions, Resource: '*' }] },
    null,
    2,
  );

export const ROLE_POLICY_TEXTS: Readonly<Record<RoleName, string>> = {
  admin: policy('KeyledgerAdmin', ['kms:*', 'keyledger:*']),
  'key-user': policy('KeyledgerKeyUser', [...CRYPTOGRAPHIC_ACTIONS, ...READ_ACTIONS]),
  auditor: policy('KeyledgerAuditor', [...READ_ACTIONS, 'keyledger:*']),
};

const compiled = new Map<RoleName, CompiledPolicy>();

export function rolePolicy(role: RoleName): CompiledPolicy {
  let result = compiled.get(role);
  if (result === undefined) {
    const parsed = compilePolicy(ROLE_POLICY_TEXTS[role], 'identity');
    // Stryker disable next-line ConditionalExpression,StringLiteral: constant texts that compile (spec)
    if (!('statements' in parsed)) throw new Error(`role policy ${role} failed to compile: ${parsed.message}`);
    result = parsed;
    compiled.set(role, result);
  }
  return result;
}
