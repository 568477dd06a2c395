import { DomainError } from '../domain-error.js';
import type { CompiledPolicy } from './compiled-policy.js';
import { evaluateAuthorization } from './evaluate.js';
import { POLICY_TEXTS } from './policy-document.js';
import type { AuthorizationRequest } from './request-context.js';

/**
 * AWS's policy lockout safety check: a new key policy must let the principal who sets it call
 * PutKeyPolicy on the key again (through the policy itself or the account and the caller's identity
 * policies), unless the caller bypasses the check on purpose. The request context is the current
 * request's, so conditions on time or source address are judged as they stand now.
 */
export function lockoutCheck(
  newPolicy: CompiledPolicy,
  caller: Omit<AuthorizationRequest, 'action'>,
  identityPolicies: readonly CompiledPolicy[],
  bypass: boolean,
): DomainError | null {
  if (bypass) return null;
  const result = evaluateAuthorization({
    request: { ...caller, action: 'kms:PutKeyPolicy' },
    keyPolicy: newPolicy,
    identityPolicies,
  });
  return result.decision === 'ALLOWED' ? null : new DomainError('MalformedPolicyDocument', POLICY_TEXTS.lockout);
}
