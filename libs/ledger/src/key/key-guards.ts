import { DomainError } from '../domain-error.js';
import { keyStateOf, type KeyAggregate } from './key-state.js';

/** The refusals AWS gives for a key in the wrong state, with AWS's texts. */
export const keyErrors = {
  notFound: (arn: string) => new DomainError('NotFound', `Key '${arn}' does not exist`),
  disabled: (key: KeyAggregate) => new DomainError('Disabled', `${key.arn} is disabled.`),
  pendingDeletion: (key: KeyAggregate) => new DomainError('InvalidState', `${key.arn} is pending deletion.`),
  pendingImport: (key: KeyAggregate) => new DomainError('InvalidState', `${key.arn} is pending import.`),
  notPendingDeletion: (key: KeyAggregate) => new DomainError('InvalidState', `${key.arn} is not pending deletion.`),
  originNotValid: (key: KeyAggregate) =>
    new DomainError('Unsupported', `${key.arn} origin is ${key.origin} which is not valid for this operation.`),
};

/** The key exists and is not deleted; `arn` is how it was asked for, when it may not exist. */
export function requireLiveKey(key: KeyAggregate, arn = key.arn): DomainError | undefined {
  if (!key.exists || key.deleted) return keyErrors.notFound(key.exists ? key.arn : arn);
  return undefined;
}

/** Refuses a key pending deletion (the state AWS treats as frozen for management). */
export function requireNotPendingDeletion(key: KeyAggregate): DomainError | undefined {
  const pending = key.deletionDate !== null || key.pendingReplicaDeletion;
  return requireLiveKey(key) ?? (pending ? keyErrors.pendingDeletion(key) : undefined);
}

/** Enabled, in AWS's order of refusal: pending deletion, pending import, disabled. */
export function requireEnabled(key: KeyAggregate): DomainError | undefined {
  const dead = requireLiveKey(key);
  if (dead) return dead;
  switch (keyStateOf(key)) {
    case 'PendingDeletion':
    case 'PendingReplicaDeletion':
      return keyErrors.pendingDeletion(key);
    case 'PendingImport':
      return keyErrors.pendingImport(key);
    case 'Disabled':
      return keyErrors.disabled(key);
    // Stryker disable next-line ConditionalExpression,StringLiteral: falling out of the switch returns undefined too
    case 'Enabled':
      return undefined;
  }
}
