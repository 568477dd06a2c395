import type { GrantConstraints, GrantOperation } from '../authorization/grants.js';

/**
 * Who may use a key, as facts on the key's own stream (actor and request id in the metadata, like every
 * event). They are apart from KeyEvent: the key's lifecycle fold ignores them and the access fold
 * (key-access-state) reads both.
 */
export interface KeyPolicyChanged {
  type: 'KeyPolicyChanged';
  data: {
    policyName: 'default';
    /** The document byte for byte as given: GetKeyPolicy returns it unchanged. */
    policy: string;
    bypassPolicyLockoutSafetyCheck: boolean;
    changedAt: string;
  };
}

export interface GrantCreated {
  type: 'GrantCreated';
  data: {
    grantId: string;
    name: string | null;
    granteePrincipal: string;
    retiringPrincipal: string | null;
    operations: GrantOperation[];
    constraints: GrantConstraints | null;
    issuingAccount: string;
    createdAt: string;
  };
}

export interface GrantRetired {
  type: 'GrantRetired';
  data: { grantId: string; retiredBy: string; retiredAt: string };
}

export interface GrantRevoked {
  type: 'GrantRevoked';
  data: { grantId: string; revokedBy: string; revokedAt: string };
}

export type KeyAccessEvent = KeyPolicyChanged | GrantCreated | GrantRetired | GrantRevoked;
export type KeyAccessEventType = KeyAccessEvent['type'];

export const KEY_ACCESS_EVENT_TYPES: readonly KeyAccessEventType[] = [
  'KeyPolicyChanged',
  'GrantCreated',
  'GrantRetired',
  'GrantRevoked',
];
