import { DomainError } from '../domain-error.js';
import { keyErrors, requireEnabled } from './key-guards.js';
import { findBackingKey, type BackingKey, type KeyAggregate } from './key-state.js';

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

export function backingKeyForDecrypt(key: KeyAggregate, keyMaterialId: string): BackingKey | DomainError {
  const refused = requireEnabled(key);
  if (refused) return refused;
  const backing = findBackingKey(key, keyMaterialId);
  // A blob naming a backing key this key never had was not made by it: AWS says nothing more.
  if (!backing) return new DomainError('InvalidCiphertext', '');
  if (!backing.hasMaterial)
    return new DomainError('InvalidState', `The key material ${keyMaterialId} of ${key.arn} is not imported.`);
  return backing;
}
