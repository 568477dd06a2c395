import { matchStatements, type CompiledPolicy, type StatementMatch, type StatementRef } from './compiled-policy.js';
import { CONTEXT_OPERATIONS, type ActiveGrant, type GrantConstraints } from './grants.js';
import type { ConditionClause } from './policy-document.js';

/**
 * "Who could use key K, and why": for each principal, every key operation it could call, with the
 * statements (Sid, conditions) or grants (constraints) that would allow it. A request's context is not
 * known here, so conditions are reported rather than judged: an operation is ALLOWED when some way in
 * needs no condition and no Deny has one, CONDITIONAL when every way in depends on one. An operation an
 * unconditional Deny refuses is not listed.
 */
export const KEY_ACTIONS: readonly string[] = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'DescribeKey',
  'EnableKey',
  'DisableKey',
  'UpdateKeyDescription',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'GetKeyRotationStatus',
  'RotateKeyOnDemand',
  'ListKeyRotations',
  'CreateAlias',
  'UpdateAlias',
  'DeleteAlias',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'TagResource',
  'UntagResource',
  'ListResourceTags',
  'GetParametersForImport',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
  'GetKeyPolicy',
  'PutKeyPolicy',
  'ListKeyPolicies',
  'CreateGrant',
  'ListGrants',
  'RetireGrant',
  'RevokeGrant',
  'ReplicateKey',
  'UpdatePrimaryRegion',
].map((op) => `kms:${op}`);

export type AccessReason =
  | ({ kind: 'statement'; conditions: readonly ConditionClause[] } & StatementRef)
  | { kind: 'grant'; grantId: string; constraints: GrantConstraints | null };

export interface OperationAccess {
  action: string;
  decision: 'ALLOWED' | 'CONDITIONAL';
  /** Each way in: one direct key policy statement, a key policy statement with an identity statement, or a grant. */
  allowedBy: AccessReason[][];
  /** Deny statements that apply under conditions. */
  deniedWhen: AccessReason[];
}

export interface PrincipalAccess {
  name: string;
  principalArn: string;
  operations: OperationAccess[];
}

export interface ReviewedPrincipal {
  name: string;
  principalArn: string;
  identityPolicies: readonly CompiledPolicy[];
}

const reason = (m: StatementMatch): AccessReason => ({
  kind: 'statement',
  ...m.statement.ref,
  conditions: m.statement.conditions,
});
const conditional = (r: AccessReason): boolean =>
  r.kind === 'statement' ? r.conditions.length > 0 : r.constraints !== null;

export function operationAccess(
  keyArn: string,
  accountId: string,
  keyPolicy: CompiledPolicy,
  grants: readonly ActiveGrant[],
  principal: ReviewedPrincipal,
  action: string,
): OperationAccess | null {
  const request = { principalArn: principal.principalArn, accountId, action, resource: keyArn, currentTime: 0 };
  const key = matchStatements(keyPolicy, request, { ignoreConditions: true });
  const identity = principal.identityPolicies.map((p) => matchStatements(p, request, { ignoreConditions: true }));
  const identityAllows = identity.flatMap((m) => m.allows);
  const denies = [...key.denies, ...identity.flatMap((m) => m.denies)].map(reason);
  if (denies.some((d) => !conditional(d))) return null;
  const paths: AccessReason[][] = [];
  for (const m of key.allows) if (m.via === 'direct') paths.push([reason(m)]);
  for (const m of key.allows) {
    if (m.via !== 'account') continue;
    for (const i of identityAllows) paths.push([reason(m), reason(i)]);
  }
  const operation = action.slice('kms:'.length);
  for (const grant of grants) {
    if (grant.granteePrincipal !== principal.principalArn || !grant.operations.includes(operation)) continue;
    const constraints = CONTEXT_OPERATIONS.has(operation) ? grant.constraints : null;
    paths.push([{ kind: 'grant', grantId: grant.grantId, constraints }]);
  }
  if (paths.length === 0) return null;
  const free = denies.length === 0 && paths.some((path) => !path.some(conditional));
  return { action, decision: free ? 'ALLOWED' : 'CONDITIONAL', allowedBy: paths, deniedWhen: denies };
}

export function whoCould(
  key: { arn: string; accountId: string; policy: CompiledPolicy; grants: readonly ActiveGrant[] },
  principals: readonly ReviewedPrincipal[],
  actions: readonly string[] = KEY_ACTIONS,
): PrincipalAccess[] {
  return principals.map((principal) => ({
    name: principal.name,
    principalArn: principal.principalArn,
    operations: actions
      .map((action) => operationAccess(key.arn, key.accountId, key.policy, key.grants, principal, action))
      .filter((a): a is OperationAccess => a !== null),
  }));
}
