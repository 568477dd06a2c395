import { compilePolicy, type CompiledPolicy } from '../authorization/compiled-policy.js';
import { defaultKeyPolicy, defaultKeyPolicyText } from '../authorization/default-key-policy.js';
import type { ActiveGrant, GrantConstraints, GrantOperation } from '../authorization/grants.js';
import type { KeyAccessEvent } from './key-access-events.js';
import type { KeyEvent } from './key-events.js';

/**
 * Who may use one key: its policy in force and its active grants, folded from the key's stream. A key
 * starts with AWS's default policy at KeyCreated (keys created before key policies existed keep it from
 * their creation); a completed deletion takes every grant with it. The policy is compiled when the event
 * that set it is folded, so it is compiled once per stream revision that changed it.
 */
export interface GrantRecord extends ActiveGrant {
  name: string | null;
  retiringPrincipal: string | null;
  operations: GrantOperation[];
  constraints: GrantConstraints | null;
  issuingAccount: string;
  createdAt: number;
}

export interface KeyAccess {
  exists: boolean;
  accountId: string;
  policyText: string;
  policy: CompiledPolicy;
  /** Null while the key has the default policy from its creation. */
  policyChangedAt: number | null;
  bypassedLockoutCheck: boolean;
  /** In creation order. */
  grants: readonly GrantRecord[];
}

export const initialKeyAccess = (): KeyAccess => ({
  exists: false,
  accountId: '',
  policyText: '',
  policy: defaultKeyPolicy('000000000000'),
  policyChangedAt: null,
  bypassedLockoutCheck: false,
  grants: [],
});

const ms = (iso: string): number => Date.parse(iso);

export function evolveKeyAccess(access: KeyAccess, event: KeyEvent | KeyAccessEvent): KeyAccess {
  switch (event.type) {
    case 'KeyCreated': {
      const accountId = event.data.accountId;
      // A replica made again on its stream starts afresh: nothing of the deleted one's access carries over.
      return {
        ...initialKeyAccess(),
        exists: true,
        accountId,
        policyText: defaultKeyPolicyText(accountId),
        policy: defaultKeyPolicy(accountId),
      };
    }
    case 'KeyPolicyChanged': {
      const compiled = compilePolicy(event.data.policy, 'key');
      // A recorded policy was valid when it was accepted; one that no longer parses allows nothing.
      const policy = 'statements' in compiled ? compiled : denyAll(event.data.policy);
      return {
        ...access,
        policyText: event.data.policy,
        policy,
        policyChangedAt: ms(event.data.changedAt),
        bypassedLockoutCheck: event.data.bypassPolicyLockoutSafetyCheck,
      };
    }
    case 'GrantCreated': {
      const d = event.data;
      const grant: GrantRecord = {
        grantId: d.grantId,
        name: d.name,
        granteePrincipal: d.granteePrincipal,
        retiringPrincipal: d.retiringPrincipal,
        operations: d.operations,
        constraints: d.constraints,
        issuingAccount: d.issuingAccount,
        createdAt: ms(d.createdAt),
      };
      return { ...access, grants: [...access.grants, grant] };
    }
    case 'GrantRetired':
    case 'GrantRevoked': {
      const gone = event.data.grantId;
      return { ...access, grants: access.grants.filter((g) => g.grantId !== gone) };
    }
    case 'KeyDeleted':
      return { ...access, grants: [] };
    default:
      return access;
  }
}

function denyAll(text: string): CompiledPolicy {
  return {
    kind: 'key',
    text,
    document: { version: null, id: null, statements: [] },
    statements: [],
    delegatesAllTo: null,
  };
}

export function findGrant(access: KeyAccess, grantId: string): GrantRecord | undefined {
  return access.grants.find((g) => g.grantId === grantId);
}
