/**
 * Every fact about a KMS key, one event type per fact, past tense. Event data is
 * JSON: times are ISO-8601 strings. Backing key material appears only sealed
 * under its shred key (`sealedMaterial`), never in the clear.
 */

import type { KeyUsage, ServedKeySpec } from './key-specs.js';
import { MULTI_REGION_KEY_EVENT_TYPES, type MultiRegionKeyEvent } from './multi-region-events.js';

export type Origin = 'AWS_KMS' | 'EXTERNAL';
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';
export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface KeyCreated {
  type: 'KeyCreated';
  data: {
    keyId: string;
    arn: string;
    accountId: string;
    region: string;
    description: string;
    keyUsage: KeyUsage;
    keySpec: ServedKeySpec;
    origin: Origin;
    tags: Tag[];
    createdAt: string;
    /** Multi-Region keys only: the region of the primary when this key was created (its own, for a primary). */
    multiRegion?: { primaryRegion: string };
  };
}

/** A new backing key was generated inside Keyledger (origin AWS_KMS). */
export interface KeyMaterialGenerated {
  type: 'KeyMaterialGenerated';
  data: {
    keyMaterialId: string;
    /** The material sealed under the shred key `shredKeyId` (see @keyledger/crypto). */
    sealedMaterial: string;
    shredKeyId: string;
    /** Key pairs only: the DER SubjectPublicKeyInfo, base64, in the clear (verification needs no unsealing). */
    publicKey?: string;
    generatedAt: string;
  };
}

/** The current backing key changed; every older one stays for decryption. */
export interface KeyRotated {
  type: 'KeyRotated';
  data: {
    keyMaterialId: string;
    previousKeyMaterialId: string | null;
    rotationType: RotationType;
    rotatedAt: string;
    /** For automatic rotation: the next due date after this one. */
    nextRotationDate?: string | null;
  };
}

export interface KeyRotationEnabled {
  type: 'KeyRotationEnabled';
  data: { rotationPeriodInDays: number; nextRotationDate: string };
}

export interface KeyRotationDisabled {
  type: 'KeyRotationDisabled';
  data: Record<string, never>;
}

export interface KeyEnabled {
  type: 'KeyEnabled';
  data: Record<string, never>;
}

export interface KeyDisabled {
  type: 'KeyDisabled';
  data: Record<string, never>;
}

export interface KeyDescriptionUpdated {
  type: 'KeyDescriptionUpdated';
  data: { description: string };
}

export interface KeyTagsAdded {
  type: 'KeyTagsAdded';
  data: { tags: Tag[] };
}

export interface KeyTagsRemoved {
  type: 'KeyTagsRemoved';
  data: { tagKeys: string[] };
}

export interface KeyDeletionScheduled {
  type: 'KeyDeletionScheduled';
  data: { deletionDate: string; pendingWindowInDays: number };
}

export interface KeyDeletionCanceled {
  type: 'KeyDeletionCanceled';
  data: Record<string, never>;
}

/** The deletion window ended: every shred key of the key was destroyed. */
export interface KeyDeleted {
  type: 'KeyDeleted';
  data: { deletedAt: string; destroyedShredKeyIds: string[] };
}

export interface KeyImportParametersIssued {
  type: 'KeyImportParametersIssued';
  data: {
    importTokenId: string;
    wrappingAlgorithm: string;
    wrappingKeySpec: string;
    /** The RSA private key, sealed under a shred key like backing key material. */
    sealedPrivateKey: string;
    shredKeyId: string;
    publicKeySha256: string;
    issuedAt: string;
    validTo: string;
  };
}

export interface KeyMaterialImported {
  type: 'KeyMaterialImported';
  data: {
    keyMaterialId: string;
    sealedMaterial: string;
    shredKeyId: string;
    importTokenId: string;
    importType: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';
    expirationModel: ExpirationModel;
    validTo: string | null;
    keyMaterialDescription: string | null;
    /** Key pairs only: the public key derived from the imported private key, base64 DER SPKI. */
    publicKey?: string;
    importedAt: string;
    /**
     * Destroyed once this event is durable: the shred key of the import parameters
     * it used, and the one the same material was sealed under while still live (a
     * re-import to change ValidTo). Absent in events recorded before either was destroyed.
     */
    destroyedShredKeyIds?: string[];
  };
}

export interface KeyMaterialDeleted {
  type: 'KeyMaterialDeleted';
  data: { keyMaterialId: string; destroyedShredKeyIds: string[]; deletedAt: string };
}

export interface KeyMaterialExpired {
  type: 'KeyMaterialExpired';
  data: { keyMaterialId: string; destroyedShredKeyIds: string[]; expiredAt: string };
}

/** Import parameters reached their ValidTo unused: the wrapping key's shred key was destroyed. */
export interface KeyImportParametersExpired {
  type: 'KeyImportParametersExpired';
  data: { importTokenId: string; destroyedShredKeyIds: string[]; expiredAt: string };
}

/**
 * Shred keys the key's events had left behind (dead, yet still in the vault) were
 * destroyed: found by the sweep at start, e.g. from re-imports recorded before
 * superseded shred keys were destroyed, or a crash between an event and its destruction.
 */
export interface OrphanShredKeysDestroyed {
  type: 'OrphanShredKeysDestroyed';
  data: { destroyedShredKeyIds: string[]; destroyedAt: string };
}

export type KeyEvent =
  | KeyCreated
  | KeyMaterialGenerated
  | KeyRotated
  | KeyRotationEnabled
  | KeyRotationDisabled
  | KeyEnabled
  | KeyDisabled
  | KeyDescriptionUpdated
  | KeyTagsAdded
  | KeyTagsRemoved
  | KeyDeletionScheduled
  | KeyDeletionCanceled
  | KeyDeleted
  | KeyImportParametersIssued
  | KeyMaterialImported
  | KeyMaterialDeleted
  | KeyMaterialExpired
  | KeyImportParametersExpired
  | OrphanShredKeysDestroyed
  | MultiRegionKeyEvent;

export type KeyEventType = KeyEvent['type'];

export const KEY_EVENT_TYPES: readonly KeyEventType[] = [
  'KeyCreated',
  'KeyMaterialGenerated',
  'KeyRotated',
  'KeyRotationEnabled',
  'KeyRotationDisabled',
  'KeyEnabled',
  'KeyDisabled',
  'KeyDescriptionUpdated',
  'KeyTagsAdded',
  'KeyTagsRemoved',
  'KeyDeletionScheduled',
  'KeyDeletionCanceled',
  'KeyDeleted',
  'KeyImportParametersIssued',
  'KeyMaterialImported',
  'KeyMaterialDeleted',
  'KeyMaterialExpired',
  'KeyImportParametersExpired',
  'OrphanShredKeysDestroyed',
  ...MULTI_REGION_KEY_EVENT_TYPES,
];

/** Fields of event data that hold sealed secrets: dropped from every outward view of history. */
export const SEALED_FIELDS: readonly string[] = ['sealedMaterial', 'sealedPrivateKey'];
