import { Injectable } from '@nestjs/common';
import { decideInitialKeyPolicy, DomainError, type Decision, type KeyEvent } from '@keyledger/ledger';
import type { RequestContext } from '../ledger/request-context.js';
import { Authorizer } from './authorizer.js';

/**
 * CreateKey's `Policy`: judged (grammar, size, lockout safety check against the creator's identity
 * policies) before any material is made, and recorded as a KeyPolicyChanged right after the key's
 * creation events, in the same append. Without one the key has AWS's default policy from KeyCreated.
 */
@Injectable()
export class InitialKeyPolicy {
  constructor(private readonly authorizer: Authorizer) {}

  decide(
    keyArn: string,
    policy: { text: string; bypassLockoutSafetyCheck: boolean } | undefined,
    context: RequestContext,
    now: Date,
  ): { after(created: Decision<KeyEvent>): Decision<KeyEvent> } {
    if (policy === undefined) return { after: (created) => created };
    const caller = context.authorization?.caller;
    if (caller === undefined) throw new Error('CreateKey with a policy without an authorised caller');
    const events = decideInitialKeyPolicy({
      keyArn,
      policy: policy.text,
      bypassPolicyLockoutSafetyCheck: policy.bypassLockoutSafetyCheck,
      caller: {
        principalArn: caller.principalArn,
        accountId: caller.accountId,
        identityPolicies: this.authorizer.identityPolicies(caller),
        ...(caller.sourceIp === undefined ? {} : { sourceIp: caller.sourceIp }),
      },
      now,
    });
    if (events instanceof DomainError) throw events;
    // The key's lifecycle fold passes KeyPolicyChanged by; the access fold reads it from the same stream.
    const policyEvents = events as unknown as KeyEvent[];
    return { after: (created) => (created instanceof DomainError ? created : [...created, ...policyEvents]) };
  }
}
