import type { DomainError } from '../domain-error.js';
import { decryptableBacking, decryptRefusalError } from './decrypt-refusal.js';
import { keyErrors, requireEnabled } from './key-guards.js';
import { dueWork } from './due-work.js';
import type { KeyCommand } from './key-commands.js';
import { findBackingKey, keyStateOf, type BackingKey, type KeyAggregate } from './key-state.js';

/**
 * Which backing key a cryptographic operation may use, read from the key's
 * replayed state. These are queries: they record nothing.
 */
export function backingKeyForEncrypt(key: KeyAggregate): BackingKey | DomainError {
  const refused = requireEnabled(key);
  if (refused) return refused;
  const current = key.currentKeyMaterialId === null ? undefined : findBackingKey(key, key.currentKeyMaterialId);
  if (!current || !current.hasMaterial) return keyErrors.pendingImport(key);
  return current;
}

/** The backing key Decrypt opens, or AWS's refusal: `decryptRefusal`'s rule, in Decrypt's words. */
export function backingKeyForDecrypt(key: KeyAggregate | undefined, keyMaterialId: string): BackingKey | DomainError {
  const answer = decryptableBacking(key, keyMaterialId);
  return typeof answer === 'string' ? decryptRefusalError(answer, key, keyMaterialId) : answer;
}

/**
 * Whether a command on this key, now, would record freshly generated material:
 * the handler makes material only then, so a refused rotation leaves no orphan shred key.
 */
export function needsNewBackingKey(type: KeyCommand['type'], key: KeyAggregate, now: number): boolean {
  if (key.origin !== 'AWS_KMS') return false;
  if (type === 'RotateKeyOnDemand') return keyStateOf(key) === 'Enabled';
  if (type === 'RotateKeyIfDue') return dueWork(key, now).rotate;
  return false;
}
