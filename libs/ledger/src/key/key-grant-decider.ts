import {
  atLeastAsStrict,
  GRANT_OPERATIONS,
  type GrantConstraints,
  type GrantOperation,
} from '../authorization/grants.js';
import { normalizeAwsPrincipal } from '../authorization/policy-document.js';
import { DomainError } from '../domain-error.js';
import { MAX_GRANTS_PER_KEY } from '../quotas.js';
import type { GrantCreated, GrantRetired, GrantRevoked } from './key-access-events.js';
import { findGrant, type GrantRecord, type KeyAccess } from './key-access-state.js';
import { requireLiveKey, requireNotPendingDeletion } from './key-guards.js';
import type { KeyAggregate } from './key-state.js';

/** AWS: each constraint holds up to 8 encryption context pairs, values up to 384 characters. */
export const MAX_CONSTRAINT_PAIRS = 8;
export const MAX_CONSTRAINT_VALUE_LENGTH = 384;

export interface GrantCaller {
  principalArn: string;
  accountId: string;
}

export interface CreateGrantCommand {
  /** Fresh, made by the handler (64 hex characters, as AWS's). */
  grantId: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: GrantConstraints;
  name?: string;
  caller: GrantCaller;
  /**
   * Set when the caller may create grants only through a grant of its own: the new grant can give no
   * more operations, and no looser constraints, than that grant has.
   */
  throughGrant?: Pick<GrantRecord, 'grantId' | 'operations' | 'constraints'>;
  now: Date;
}

export interface CreateGrantOutcome {
  grantId: string;
  events: GrantCreated[];
}

const validation = (message: string) => new DomainError('Validation', message);
const OPERATION_SET: ReadonlySet<string> = new Set(GRANT_OPERATIONS);

function principalError(value: string, member: string): DomainError | undefined {
  const arn = normalizeAwsPrincipal(value);
  if (arn === undefined || arn === '*')
    return validation(`${member} '${value}' is not a valid principal ARN or account id.`);
  return undefined;
}

function constraintsError(constraints: GrantConstraints | undefined): DomainError | undefined {
  if (constraints === undefined) return undefined;
  for (const [member, map] of Object.entries(constraints) as Array<[string, Record<string, string> | undefined]>) {
    if (member !== 'EncryptionContextEquals' && member !== 'EncryptionContextSubset') {
      return validation(`Unknown grant constraint ${member}.`);
    }
    if (map === undefined) continue;
    const pairs = Object.entries(map);
    if (pairs.length > MAX_CONSTRAINT_PAIRS) {
      return validation(`${member} can hold at most ${MAX_CONSTRAINT_PAIRS} encryption context pairs.`);
    }
    for (const [, value] of pairs) {
      if (value.length > MAX_CONSTRAINT_VALUE_LENGTH) {
        return validation(
          `An encryption context value in ${member} exceeds ${MAX_CONSTRAINT_VALUE_LENGTH} characters.`,
        );
      }
    }
  }
  return undefined;
}

const normalized = (constraints: GrantConstraints | undefined): GrantConstraints | null => {
  if (constraints === undefined) return null;
  const out: GrantConstraints = {};
  if (constraints.EncryptionContextEquals !== undefined)
    out.EncryptionContextEquals = constraints.EncryptionContextEquals;
  if (constraints.EncryptionContextSubset !== undefined)
    out.EncryptionContextSubset = constraints.EncryptionContextSubset;
  return Object.keys(out).length === 0 ? null : out;
};

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    // Stryker disable next-line BooleanLiteral: an array as an index-keyed object compares the same on both sides
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? // Stryker disable next-line EqualityOperator: keys are distinct and both sides sort alike; any order will do
        Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

function sameParameters(grant: GrantRecord, command: CreateGrantCommand, operations: GrantOperation[]): boolean {
  return (
    grant.granteePrincipal === command.granteePrincipal &&
    grant.retiringPrincipal === (command.retiringPrincipal ?? null) &&
    canonical([...grant.operations].sort()) === canonical([...operations].sort()) &&
    canonical(grant.constraints) === canonical(normalized(command.constraints))
  );
}

export function decideCreateGrant(
  command: CreateGrantCommand,
  key: KeyAggregate,
  access: KeyAccess,
): CreateGrantOutcome | DomainError {
  const refused = requireNotPendingDeletion(key);
  if (refused) return refused;
  const granteeError = principalError(command.granteePrincipal, 'GranteePrincipal');
  if (granteeError) return granteeError;
  if (command.retiringPrincipal !== undefined) {
    const retiringError = principalError(command.retiringPrincipal, 'RetiringPrincipal');
    if (retiringError) return retiringError;
  }
  if (command.operations.length === 0) return validation('Operations must name at least one grant operation.');
  for (const op of command.operations) {
    if (!OPERATION_SET.has(op)) return validation(`'${op}' is not a grant operation.`);
  }
  const operations = [...new Set(command.operations)] as GrantOperation[];
  const constraintProblem = constraintsError(command.constraints);
  if (constraintProblem) return constraintProblem;
  const constraints = normalized(command.constraints);

  if (command.throughGrant !== undefined) {
    const parent = command.throughGrant;
    const beyond = operations.find((op) => !parent.operations.includes(op));
    if (beyond !== undefined || !atLeastAsStrict(constraints, parent.constraints)) {
      return new DomainError(
        'AccessDenied',
        `User: ${command.caller.principalArn} is not authorized to perform: kms:CreateGrant on resource: ${key.arn} because grant ${parent.grantId} allows only grants with its operations and constraints or stricter`,
      );
    }
  }

  // Stryker disable next-line ConditionalExpression: a grant without a name records null, so no grant matches undefined
  if (command.name !== undefined) {
    const same = access.grants.find((g) => g.name === command.name && sameParameters(g, command, operations));
    if (same) return { grantId: same.grantId, events: [] };
  }
  if (access.grants.length >= MAX_GRANTS_PER_KEY) {
    return new DomainError('LimitExceeded', `The key ${key.arn} already has ${MAX_GRANTS_PER_KEY} grants.`);
  }
  return {
    grantId: command.grantId,
    events: [
      {
        type: 'GrantCreated',
        data: {
          grantId: command.grantId,
          name: command.name ?? null,
          granteePrincipal: command.granteePrincipal,
          retiringPrincipal: command.retiringPrincipal ?? null,
          operations,
          constraints,
          issuingAccount: `arn:aws:iam::${command.caller.accountId}:root`,
          createdAt: command.now.toISOString(),
        },
      },
    ],
  };
}

const unknownGrant = (grantId: string) =>
  new DomainError('InvalidGrantId', `Grant ${grantId} is not a grant of this key.`);

/**
 * RetireGrant: the grant's retiring principal, its grantee when it includes RetireGrant, or the account
 * (its root, or a principal the account lets retire grants through its identity policy, which the handler
 * evaluates: `allowedByPolicy`).
 */
export function decideRetireGrant(
  command: { grantId: string; caller: GrantCaller; allowedByPolicy: boolean; now: Date },
  key: KeyAggregate,
  access: KeyAccess,
): GrantRetired[] | DomainError {
  const dead = requireLiveKey(key);
  if (dead) return dead;
  const grant = findGrant(access, command.grantId);
  if (!grant) return unknownGrant(command.grantId);
  const who = command.caller.principalArn;
  const mayRetire =
    grant.retiringPrincipal === who ||
    (grant.granteePrincipal === who && grant.operations.includes('RetireGrant')) ||
    who === `arn:aws:iam::${command.caller.accountId}:root` ||
    command.allowedByPolicy;
  if (!mayRetire) {
    return new DomainError(
      'AccessDenied',
      `User: ${who} is not authorized to perform: kms:RetireGrant on resource: ${key.arn} because it is neither the grant's retiring principal nor a grantee allowed to retire it`,
    );
  }
  return [
    { type: 'GrantRetired', data: { grantId: grant.grantId, retiredBy: who, retiredAt: command.now.toISOString() } },
  ];
}

/** RevokeGrant: whoever the key policy (and identity policy) allow kms:RevokeGrant; the handler checked. */
export function decideRevokeGrant(
  command: { grantId: string; caller: GrantCaller; now: Date },
  key: KeyAggregate,
  access: KeyAccess,
): GrantRevoked[] | DomainError {
  const dead = requireLiveKey(key);
  if (dead) return dead;
  const grant = findGrant(access, command.grantId);
  if (!grant) return unknownGrant(command.grantId);
  return [
    {
      type: 'GrantRevoked',
      data: { grantId: grant.grantId, revokedBy: command.caller.principalArn, revokedAt: command.now.toISOString() },
    },
  ];
}

/**
 * Grant tokens: opaque to clients, ours to recognise. A token names the key and grant it was issued for,
 * plus a per-issue nonce (AWS returns a fresh token on every CreateGrant, even for the same grant).
 */
const TOKEN_PREFIX = 'KLGT1';

export function grantTokenFor(keyId: string, grantId: string, nonce: string): string {
  // Stryker disable next-line StringLiteral: Buffer.from reads '' as utf8
  return `${TOKEN_PREFIX}.${Buffer.from(`${keyId}/${grantId}/${nonce}`, 'utf8').toString('base64url')}`;
}

export function parseGrantToken(token: string): { keyId: string; grantId: string } | DomainError {
  const invalid = new DomainError('InvalidGrantToken', 'The grant token is not valid.');
  if (!token.startsWith(`${TOKEN_PREFIX}.`)) return invalid;
  const body = token.slice(TOKEN_PREFIX.length + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return invalid;
  const parts = Buffer.from(body, 'base64url').toString('utf8').split('/');
  const [keyId, grantId] = parts;
  if (parts.length !== 3 || parts.some((p) => p === '')) return invalid;
  // Stryker disable next-line ConditionalExpression,LogicalOperator: three parts: both are defined; narrows the type
  if (keyId === undefined || grantId === undefined) return invalid;
  return { keyId, grantId };
}
