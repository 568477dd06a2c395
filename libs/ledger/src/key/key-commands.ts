import type { ExpirationModel, Origin, Tag } from './key-events.js';
import type { KeyUsage, ServedKeySpec } from './key-specs.js';
import type { MultiRegionCommand } from './multi-region-decider.js';

/**
 * Commands carry everything decide needs, including the time and any freshly
 * generated (already sealed) backing key, so that decide stays pure.
 */
export interface NewBackingKey {
  keyMaterialId: string;
  sealedMaterial: string;
  shredKeyId: string;
  /** Key pairs only: base64 DER SubjectPublicKeyInfo, recorded in the clear. */
  publicKey?: string;
}

export type KeyCommand =
  | {
      type: 'CreateKey';
      keyId: string;
      arn: string;
      accountId: string;
      region: string;
      description: string;
      origin: Origin;
      /** Absent: SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT (validated before, see resolveKeySpecAndUsage). */
      keySpec?: ServedKeySpec;
      keyUsage?: KeyUsage;
      tags: Tag[];
      /** Required for origin AWS_KMS; absent for EXTERNAL (material comes by import). */
      backingKey?: NewBackingKey;
      /** A multi-Region primary key (its id is an `mrk-` id). */
      multiRegion?: boolean;
      now: Date;
    }
  | MultiRegionCommand
  | (KeyChangeCommand & {
      /** The ARN the key was asked by: the decider's NotFound names it when there is no such key. */
      arn?: string;
    });

/** Every command on a key that exists already. */
export type KeyChangeCommand =
  | { type: 'EnableKey'; now: Date }
  | { type: 'DisableKey'; now: Date }
  | { type: 'UpdateKeyDescription'; description: string; now: Date }
  | { type: 'EnableKeyRotation'; rotationPeriodInDays?: number; now: Date }
  | { type: 'DisableKeyRotation'; now: Date }
  | { type: 'RotateKeyOnDemand'; backingKey?: NewBackingKey; maxOnDemandRotations: number; now: Date }
  | { type: 'RotateKeyIfDue'; backingKey?: NewBackingKey; now: Date }
  | { type: 'ScheduleKeyDeletion'; pendingWindowInDays?: number; now: Date }
  | { type: 'CancelKeyDeletion'; now: Date }
  | { type: 'CompleteKeyDeletionIfDue'; now: Date }
  | { type: 'TagResource'; tags: Tag[]; now: Date }
  | { type: 'UntagResource'; tagKeys: string[]; now: Date }
  | {
      type: 'GetParametersForImport';
      wrappingAlgorithm: WrappingAlgorithm;
      wrappingKeySpec: WrappingKeySpec;
      /** Made by the handler: the RSA private key sealed under its own shred key. */
      parameters: { importTokenId: string; sealedPrivateKey: string; shredKeyId: string; publicKeySha256: string };
      now: Date;
    }
  | {
      type: 'ImportKeyMaterial';
      importTokenId: string;
      /** Derived from the key id and the unwrapped material (same material, same id). */
      keyMaterialId: string;
      sealedMaterial: string;
      shredKeyId: string;
      importType?: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';
      /** The id the caller expects, if any. */
      expectedKeyMaterialId?: string;
      expirationModel?: ExpirationModel;
      validTo?: Date;
      keyMaterialDescription?: string;
      /** Key pairs only: derived from the imported private key. */
      publicKey?: string;
      /**
       * A multi-Region replica only: the KeyMaterialIds of the material imported into its primary.
       * A replica takes the same material as its primary, nothing else.
       */
      sharedKeyMaterialIds?: readonly string[];
      now: Date;
    }
  | { type: 'DeleteImportedKeyMaterial'; keyMaterialId?: string; now: Date }
  | { type: 'ExpireKeyMaterialIfDue'; now: Date }
  /** `shredKeyIds`: dead shred keys of the key that the handler found still in the vault. */
  | { type: 'DestroyOrphanShredKeys'; shredKeyIds: string[]; now: Date };

export type WrappingAlgorithm =
  'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';
export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';
export const WRAPPING_ALGORITHMS: readonly WrappingAlgorithm[] = [
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
];
export const WRAPPING_KEY_SPECS: readonly WrappingKeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];
/** AWS: import parameters are valid for 24 hours. */
export const IMPORT_PARAMETERS_VALIDITY_MS = 24 * 3_600_000;
/** AWS: imported material may be set to expire at most 365 days ahead. */
export const MAX_IMPORT_VALIDITY_DAYS = 365;

export type KeyCommandType = KeyCommand['type'];

export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
export const MIN_ROTATION_PERIOD_DAYS = 90;
export const MAX_ROTATION_PERIOD_DAYS = 2560;
export const DEFAULT_PENDING_WINDOW_DAYS = 30;
export const MIN_PENDING_WINDOW_DAYS = 7;
export const MAX_PENDING_WINDOW_DAYS = 30;
/** AWS allows ten on-demand rotations per key over its life. */
