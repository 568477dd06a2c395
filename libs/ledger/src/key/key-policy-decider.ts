import { compilePolicy, type CompiledPolicy } from '../authorization/compiled-policy.js';
import { lockoutCheck } from '../authorization/lockout.js';
import { MAX_KEY_POLICY_BYTES } from '../authorization/policy-document.js';
import { DomainError, type Decision } from '../domain-error.js';
import type { KeyAccessEvent, KeyPolicyChanged } from './key-access-events.js';
import { requireLiveKey } from './key-guards.js';
import type { KeyAggregate } from './key-state.js';

/**
 * PutKeyPolicy, and the Policy of CreateKey: the document is validated, sized and put through the lockout
 * safety check, then recorded byte for byte. The only policy name is `default`.
 */
export interface PolicyCaller {
  principalArn: string;
  accountId: string;
  /** The caller's identity policies, for the lockout check. */
  identityPolicies: readonly CompiledPolicy[];
  sourceIp?: string;
}

export interface SetKeyPolicy {
  keyArn: string;
  policyName?: string;
  policy: string;
  bypassPolicyLockoutSafetyCheck?: boolean;
  caller: PolicyCaller;
  now: Date;
}

export const DEFAULT_POLICY_NAME = 'default';

export function policyNameError(policyName: string | undefined): DomainError | undefined {
  if (policyName === undefined || policyName === DEFAULT_POLICY_NAME) return undefined;
  return new DomainError('NotFound', `Policy '${policyName}' does not exist: the only key policy name is default.`);
}

function keyPolicyChanged(command: SetKeyPolicy): Decision<KeyPolicyChanged> {
  const nameError = policyNameError(command.policyName);
  if (nameError) return nameError;
  // Stryker disable next-line StringLiteral: Buffer.byteLength reads '' as utf8
  if (Buffer.byteLength(command.policy, 'utf8') > MAX_KEY_POLICY_BYTES) {
    return new DomainError('LimitExceeded', `The key policy exceeds the quota of ${MAX_KEY_POLICY_BYTES} bytes.`);
  }
  const compiled = compilePolicy(command.policy, 'key');
  if (compiled instanceof DomainError) return compiled;
  const bypass = command.bypassPolicyLockoutSafetyCheck === true;
  const { caller } = command;
  const lockout = lockoutCheck(
    compiled,
    {
      principalArn: caller.principalArn,
      accountId: caller.accountId,
      resource: command.keyArn,
      currentTime: command.now.getTime(),
      // Stryker disable next-line ConditionalExpression: the request context reads sourceIp: undefined as absent
      ...(caller.sourceIp === undefined ? {} : { sourceIp: caller.sourceIp }),
    },
    caller.identityPolicies,
    bypass,
  );
  if (lockout) return lockout;
  return [
    {
      type: 'KeyPolicyChanged',
      data: {
        policyName: 'default',
        policy: command.policy,
        bypassPolicyLockoutSafetyCheck: bypass,
        changedAt: command.now.toISOString(),
      },
    },
  ];
}

export function decidePutKeyPolicy(command: SetKeyPolicy, key: KeyAggregate): Decision<KeyAccessEvent> {
  const dead = requireLiveKey(key);
  if (dead) return dead;
  return keyPolicyChanged({ ...command, keyArn: key.arn });
}

/**
 * The policy part of CreateKey: nothing when none is given (the key has the default policy from
 * KeyCreated), else the KeyPolicyChanged to append after the key's creation events.
 */
export function decideInitialKeyPolicy(
  command: Omit<SetKeyPolicy, 'policy'> & { policy?: string },
): Decision<KeyAccessEvent> {
  if (command.policy === undefined) return [];
  return keyPolicyChanged({ ...command, policy: command.policy });
}
