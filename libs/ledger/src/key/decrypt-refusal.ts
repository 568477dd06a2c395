import { DomainError } from '../domain-error.js';
import { keyErrors } from './key-guards.js';
import { findBackingKey, isPendingDeletion, keyStateOf, type BackingKey, type KeyAggregate } from './key-state.js';

/**
 * Why a ciphertext naming backing key `keyMaterialId` of this key cannot be
 * decrypted, most fundamental cause first: a cause later in the list could go
 * away (enable the key, cancel its deletion, import the material again), one
 * earlier could not. Decrypt answers each with AWS's exception; the ledger's
 * decryptability question answers it as it is.
 */
export type DecryptRefusal =
  | 'KEY_NOT_CREATED'
  | 'KEY_DELETED'
  | 'KEY_MATERIAL_NOT_CREATED'
  | 'KEY_PENDING_DELETION'
  | 'KEY_MATERIAL_NOT_IMPORTED'
  | 'KEY_DISABLED';

/** The backing key a ciphertext may be opened with, or why not: the one rule behind Decrypt and decryptability. */
export function decryptableBacking(key: KeyAggregate | undefined, keyMaterialId: string): BackingKey | DecryptRefusal {
  if (!key || !key.exists) return 'KEY_NOT_CREATED';
  if (key.deleted) return 'KEY_DELETED';
  // A blob naming a backing key this key never had was not made by it.
  const backing = findBackingKey(key, keyMaterialId);
  if (!backing) return 'KEY_MATERIAL_NOT_CREATED';
  const state = keyStateOf(key);
  if (isPendingDeletion(state)) return 'KEY_PENDING_DELETION';
  // hasMaterial is false once imported material is deleted or expires, and once the key is destroyed.
  if (!backing.hasMaterial || state === 'PendingImport') return 'KEY_MATERIAL_NOT_IMPORTED';
  if (state === 'Disabled') return 'KEY_DISABLED';
  return backing;
}

/** Why this ciphertext cannot be decrypted now, or undefined when it can. */
export function decryptRefusal(key: KeyAggregate | undefined, keyMaterialId: string): DecryptRefusal | undefined {
  const answer = decryptableBacking(key, keyMaterialId);
  return typeof answer === 'string' ? answer : undefined;
}

/** The refusal as Decrypt answers it, with AWS's exception and text. */
export function decryptRefusalError(
  refusal: DecryptRefusal,
  key: KeyAggregate | undefined,
  keyMaterialId: string,
): DomainError {
  switch (refusal) {
    case 'KEY_NOT_CREATED':
    case 'KEY_MATERIAL_NOT_CREATED':
      // Not made here, or not by this key: AWS says nothing more.
      return new DomainError('InvalidCiphertext', '');
    case 'KEY_DELETED':
      return keyErrors.notFound(key!.arn);
    case 'KEY_PENDING_DELETION':
      return keyErrors.pendingDeletion(key!);
    case 'KEY_MATERIAL_NOT_IMPORTED':
      if (keyStateOf(key!) === 'PendingImport') return keyErrors.pendingImport(key!);
      return new DomainError('InvalidState', `The key material ${keyMaterialId} of ${key!.arn} is not imported.`);
    case 'KEY_DISABLED':
      return keyErrors.disabled(key!);
  }
}
