import { DomainError, type Decision } from '../domain-error.js';
import { DAY_MS } from '../common-constants.js';
import {
  IMPORT_PARAMETERS_VALIDITY_MS,
  MAX_IMPORT_VALIDITY_DAYS,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  type KeyCommand,
} from './key-commands.js';
import { dueWork } from './due-work.js';
import type { KeyEvent } from './key-events.js';
import { iso } from './key-creation.js';
import { keyErrors, requireNotPendingDeletion } from './key-guards.js';
import { findBackingKey, type BackingKey, type ImportParameters, type KeyAggregate } from './key-state.js';

/** Why import parameters cannot be used now, if they cannot; checked before and after unwrapping. */
export function importTokenRefusal(token: ImportParameters | undefined, now: number): DomainError | undefined {
  if (!token) return new DomainError('InvalidImportToken', 'The import token is not valid for this key.');
  if (token.validTo <= now) return new DomainError('ExpiredImportToken', 'The import token has expired.');
  // Its wrapping key is destroyed after the import that used it: a captured EncryptedKeyMaterial stays sealed.
  if (token.spent)
    return new DomainError(
      'InvalidImportToken',
      'The import token was already used. Call GetParametersForImport for new import parameters.',
    );
  return undefined;
}

/**
 * What deleting or expiring material destroys: its shred key, and every shred key a
 * re-import superseded (already dead: listing them again costs nothing and closes
 * the gap in ledgers recorded before superseded shred keys were destroyed).
 */
const materialShredKeys = (key: KeyAggregate, backing: BackingKey): string[] => [
  ...new Set([backing.shredKeyId, ...key.supersededShredKeyIds]),
];

type ImportCommand = Extract<
  KeyCommand,
  { type: 'GetParametersForImport' | 'ImportKeyMaterial' | 'DeleteImportedKeyMaterial' | 'ExpireKeyMaterialIfDue' }
>;

/**
 * Bring-your-own-key. Imported material differs from generated material in one
 * way: it can be deleted or expire, and importing the same material again (same
 * KeyMaterialId, derived from the key id and the material) brings back every
 * ciphertext made with it.
 */
export function decideImport(command: ImportCommand, key: KeyAggregate): Decision<KeyEvent> {
  if (command.type === 'ExpireKeyMaterialIfDue') {
    const now = command.now.getTime();
    const due = dueWork(key, now);
    const material: KeyEvent[] = due.expiringMaterial.map((b) => ({
      type: 'KeyMaterialExpired' as const,
      data: { keyMaterialId: b.keyMaterialId, destroyedShredKeyIds: materialShredKeys(key, b), expiredAt: iso(now) },
    }));
    // A wrapping key outlives its ValidTo by no more than the scheduler's interval.
    const parameters: KeyEvent[] = due.expiringImportParameters.map((p) => ({
      type: 'KeyImportParametersExpired' as const,
      data: { importTokenId: p.importTokenId, destroyedShredKeyIds: [p.shredKeyId], expiredAt: iso(now) },
    }));
    return [...material, ...parameters];
  }
  if (key.origin !== 'EXTERNAL') return keyErrors.originNotValid(key);
  const refused = requireNotPendingDeletion(key);
  if (refused) return refused;

  switch (command.type) {
    case 'GetParametersForImport': {
      if (!WRAPPING_ALGORITHMS.includes(command.wrappingAlgorithm))
        return new DomainError(
          'Unsupported',
          `Wrapping algorithm ${command.wrappingAlgorithm} is not supported for symmetric keys.`,
        );
      // An RSA private key is larger than any RSAES-OAEP message: AWS takes it only wrapped with AES key wrap.
      if (key.keySpec.startsWith('RSA_') && command.wrappingAlgorithm.startsWith('RSAES_OAEP'))
        return new DomainError(
          'Validation',
          `Wrapping algorithm ${command.wrappingAlgorithm} cannot wrap ${key.keySpec} key material: use RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256.`,
        );
      if (!WRAPPING_KEY_SPECS.includes(command.wrappingKeySpec))
        return new DomainError(
          'Unsupported',
          `Wrapping key spec ${command.wrappingKeySpec} is not supported for symmetric keys.`,
        );
      return [
        {
          type: 'KeyImportParametersIssued',
          data: {
            ...command.parameters,
            wrappingAlgorithm: command.wrappingAlgorithm,
            wrappingKeySpec: command.wrappingKeySpec,
            issuedAt: iso(command.now),
            validTo: iso(command.now.getTime() + IMPORT_PARAMETERS_VALIDITY_MS),
          },
        },
      ];
    }

    case 'ImportKeyMaterial': {
      const now = command.now.getTime();
      const token = key.importParameters.find((p) => p.importTokenId === command.importTokenId);
      const tokenRefused = importTokenRefusal(token, now);
      if (tokenRefused || !token) return tokenRefused!;

      const expirationModel = command.expirationModel ?? 'KEY_MATERIAL_EXPIRES';
      let validTo: string | null = null;
      if (expirationModel === 'KEY_MATERIAL_EXPIRES') {
        if (!command.validTo)
          return new DomainError(
            'Validation',
            'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
          );
        const at = command.validTo.getTime();
        if (at <= now) return new DomainError('Validation', 'ValidTo must be in the future.');
        if (at > now + MAX_IMPORT_VALIDITY_DAYS * DAY_MS)
          return new DomainError(
            'Validation',
            `ValidTo must be at most ${MAX_IMPORT_VALIDITY_DAYS} days in the future.`,
          );
        validTo = iso(at);
      } else if (command.validTo) {
        return new DomainError(
          'Validation',
          'ValidTo must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
        );
      }

      const existing = findBackingKey(key, command.keyMaterialId);
      const importType =
        command.importType ?? (key.backingKeys.length === 0 ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL');
      const shared = command.sharedKeyMaterialIds;
      if (shared !== undefined && !shared.includes(command.keyMaterialId))
        return new DomainError(
          'IncorrectKeyMaterial',
          shared.length === 0
            ? `${key.arn} is a multi-Region replica key: import the key material into its primary key first.`
            : `${key.arn} is a multi-Region replica key: import the key material of its primary key.`,
        );
      if (command.expectedKeyMaterialId !== undefined && command.expectedKeyMaterialId !== command.keyMaterialId)
        return new DomainError(
          'IncorrectKeyMaterial',
          'The key material does not match the KeyMaterialId in the request.',
        );
      if (importType === 'EXISTING_KEY_MATERIAL') {
        // Re-import restores material the key already knows; anything else is different material. (An expected
        // id other than the material's was refused above, so `existing` is the one asked for.)
        if (!existing)
          return new DomainError(
            'IncorrectKeyMaterial',
            `The key material is not the key material previously imported into ${key.arn}.`,
          );
      } else {
        // AWS rotates only symmetric encryption keys: other keys take back only their first material.
        if (key.keySpec !== 'SYMMETRIC_DEFAULT' && key.backingKeys.length > 0)
          return new DomainError(
            'IncorrectKeyMaterial',
            `${key.arn} is a ${key.keySpec} key: only the key material first imported into it can be imported again.`,
          );
        if (existing)
          return new DomainError(
            'IncorrectKeyMaterial',
            `This key material was already imported into ${key.arn}; import it as EXISTING_KEY_MATERIAL.`,
          );
        if (key.backingKeys.some((b) => b.state === 'PENDING_ROTATION'))
          return new DomainError(
            'InvalidState',
            `${key.arn} already has key material pending rotation; rotate or delete it before importing new material.`,
          );
      }
      return [
        {
          type: 'KeyMaterialImported',
          data: {
            keyMaterialId: command.keyMaterialId,
            sealedMaterial: command.sealedMaterial,
            shredKeyId: command.shredKeyId,
            importTokenId: command.importTokenId,
            importType,
            expirationModel,
            validTo,
            keyMaterialDescription: command.keyMaterialDescription ?? null,
            ...(command.publicKey === undefined ? {} : { publicKey: command.publicKey }),
            importedAt: iso(command.now),
            // Re-importing live material (AWS allows it, to change ValidTo) seals it anew: the old sealing must go.
            destroyedShredKeyIds: [token.shredKeyId, ...(existing?.hasMaterial ? [existing.shredKeyId] : [])],
          },
        },
      ];
    }

    case 'DeleteImportedKeyMaterial': {
      const id = command.keyMaterialId ?? key.currentKeyMaterialId;
      // Stryker disable next-line ConditionalExpression: findBackingKey finds nothing for null; this narrows the type
      const backing = id === null ? undefined : findBackingKey(key, id);
      if (!backing)
        return new DomainError(
          'NotFound',
          id === null ? `${key.arn} has no key material.` : `Key material ${id} is not associated with ${key.arn}.`,
        );
      // Deleting what is already gone (deleted, expired or destroyed: no material) changes nothing, records nothing.
      if (!backing.hasMaterial) return [];
      return [
        {
          type: 'KeyMaterialDeleted',
          data: {
            keyMaterialId: backing.keyMaterialId,
            destroyedShredKeyIds: materialShredKeys(key, backing),
            deletedAt: iso(command.now),
          },
        },
      ];
    }
  }
}
