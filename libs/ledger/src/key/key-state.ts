import { findIn, withAppended, withChanges, withEach } from './backing-key-index.js';
import type { ExpirationModel, KeyEvent, Origin, RotationType, Tag } from './key-events.js';
import { everyShredKeyId, spend } from './shred-keys.js';
import { evolveMultiRegion, type MultiRegionRole } from './multi-region-state.js';
import type { KeyUsage, ServedKeySpec } from './key-specs.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingReplicaDeletion' | 'PendingImport';

/**
 * What a backing key is right now. `CURRENT`, `NON_CURRENT` and `PENDING_ROTATION`
 * are AWS's KeyMaterialState values; `DELETED` (imported material deleted),
 * `EXPIRED` (imported material past ValidTo) and `DESTROYED` (the key was
 * deleted) are Keyledger's, for history.
 */
export type MaterialState = 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION' | 'DELETED' | 'EXPIRED' | 'DESTROYED';

export interface BackingKey {
  keyMaterialId: string;
  origin: Origin;
  /**
   * Whether its material can still be opened: false once deleted, expired or
   * destroyed. The sealed form stays in the event that recorded it and is read
   * from there when needed: a fold kept for every key does not carry it.
   */
  hasMaterial: boolean;
  shredKeyId: string;
  createdAt: number;
  state: MaterialState;
  /** When it became current through a rotation, and how. */
  rotationDate: number | null;
  rotationType: RotationType | null;
  /** Imported material only. */
  importState: 'IMPORTED' | 'PENDING_IMPORT' | null;
  expirationModel: ExpirationModel | null;
  validTo: number | null;
  description: string | null;
}

export interface ImportParameters {
  importTokenId: string;
  wrappingAlgorithm: string;
  wrappingKeySpec: string;
  sealedPrivateKey: string;
  shredKeyId: string;
  validTo: number;
  /** Used by an import, or recorded as expired: its wrapping key's shred key is dead. */
  spent: boolean;
}

export interface KeyAggregate {
  exists: boolean;
  keyId: string;
  arn: string;
  /** The region the key belongs to, as its creation recorded it. */
  region: string;
  origin: Origin;
  description: string;
  createdAt: number;
  enabled: boolean;
  deleted: boolean;
  deletedAt: number | null;
  deletionDate: number | null;
  pendingWindowInDays: number | null;
  rotationEnabled: boolean;
  rotationPeriodInDays: number | null;
  nextRotationDate: number | null;
  onDemandRotations: number;
  lastRotatedAt: number | null;
  currentKeyMaterialId: string | null;
  /** In creation order; never shrinks: a destroyed backing key stays as a record. */
  backingKeys: readonly BackingKey[];
  tags: Tag[];
  importParameters: ImportParameters[];
  /** Shred keys a re-import replaced: no backing key names them, yet events hold material sealed under them. */
  supersededShredKeyIds: readonly string[];
  keySpec: ServedKeySpec;
  keyUsage: KeyUsage;
  /** Multi-Region keys only (null for a single-Region key): where the primary is and, on the primary, its replicas. */
  multiRegion: MultiRegionRole | null;
  /** A primary scheduled for deletion while replicas remain: its waiting period has not begun (AWS). */
  pendingReplicaDeletion: boolean;
}

export const initialKeyState = (): KeyAggregate => ({
  exists: false,
  keyId: '',
  arn: '',
  region: '',
  origin: 'AWS_KMS',
  description: '',
  createdAt: 0,
  enabled: false,
  deleted: false,
  deletedAt: null,
  deletionDate: null,
  pendingWindowInDays: null,
  rotationEnabled: false,
  rotationPeriodInDays: null,
  nextRotationDate: null,
  onDemandRotations: 0,
  lastRotatedAt: null,
  currentKeyMaterialId: null,
  backingKeys: [],
  tags: [],
  importParameters: [],
  supersededShredKeyIds: [],
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  multiRegion: null,
  pendingReplicaDeletion: false,
});

const ms = (iso: string): number => Date.parse(iso);

/** Both ways of waiting for deletion: for the waiting period, or (a primary) for its replicas to go. */
export const isPendingDeletion = (state: KeyState): boolean =>
  state === 'PendingDeletion' || state === 'PendingReplicaDeletion';

/** AWS's KeyState, derived: pending deletion wins, then a key without usable current material. */
export function keyStateOf(key: KeyAggregate): KeyState {
  if (key.pendingReplicaDeletion) return 'PendingReplicaDeletion';
  if (key.deletionDate !== null) return 'PendingDeletion';
  if (key.origin === 'EXTERNAL' && !currentMaterialUsable(key)) return 'PendingImport';
  return key.enabled ? 'Enabled' : 'Disabled';
}

export function findBackingKey(key: KeyAggregate, keyMaterialId: string): BackingKey | undefined {
  return findIn(key.backingKeys, keyMaterialId);
}

function currentMaterialUsable(key: KeyAggregate): boolean {
  if (key.currentKeyMaterialId === null) return false;
  const current = findBackingKey(key, key.currentKeyMaterialId);
  return current !== undefined && current.hasMaterial && current.state === 'CURRENT';
}

export function evolveKey(key: KeyAggregate, event: KeyEvent): KeyAggregate {
  switch (event.type) {
    case 'KeyCreated': {
      const d = event.data;
      // On a stream whose key was deleted (a multi-Region replica made again): a new key, with nothing of
      // the old one but the shred keys its events recorded, which crypto-shredding must still account for.
      if (key.exists) key = { ...initialKeyState(), supersededShredKeyIds: everyShredKeyId(key) };
      return {
        ...key,
        exists: true,
        keyId: d.keyId,
        arn: d.arn,
        region: d.region,
        origin: d.origin,
        description: d.description,
        createdAt: ms(d.createdAt),
        enabled: d.origin === 'AWS_KMS',
        tags: d.tags,
        keySpec: d.keySpec,
        keyUsage: d.keyUsage,
        multiRegion: d.multiRegion
          ? { primaryRegion: d.multiRegion.primaryRegion, replicaRegions: [], lastPrimaryMove: null }
          : null,
      };
    }
    case 'KeyMaterialGenerated': {
      const d = event.data;
      const first = key.backingKeys.length === 0;
      const backing: BackingKey = {
        keyMaterialId: d.keyMaterialId,
        origin: 'AWS_KMS',
        hasMaterial: true,
        shredKeyId: d.shredKeyId,
        createdAt: ms(d.generatedAt),
        // The first backing key is current at once; later ones become current through KeyRotated.
        state: first ? 'CURRENT' : 'PENDING_ROTATION',
        rotationDate: null,
        rotationType: null,
        importState: null,
        expirationModel: null,
        validTo: null,
        description: null,
      };
      return {
        ...key,
        backingKeys: withAppended(key.backingKeys, backing),
        currentKeyMaterialId: first ? d.keyMaterialId : key.currentKeyMaterialId,
      };
    }
    case 'KeyRotated': {
      const d = event.data;
      const at = ms(d.rotatedAt);
      // At most one backing key is CURRENT, and it is the one currentKeyMaterialId names:
      // every event that makes one CURRENT also sets currentKeyMaterialId to it.
      const previous = key.currentKeyMaterialId === d.keyMaterialId ? null : key.currentKeyMaterialId;
      const backingKeys = withChanges(key.backingKeys, [
        [previous, (b) => (b.state === 'CURRENT' ? { ...b, state: 'NON_CURRENT' } : b)],
        [d.keyMaterialId, (b) => ({ ...b, state: 'CURRENT', rotationDate: at, rotationType: d.rotationType })],
      ]);
      const automatic = d.rotationType === 'AUTOMATIC';
      return {
        ...key,
        backingKeys,
        currentKeyMaterialId: d.keyMaterialId,
        lastRotatedAt: at,
        onDemandRotations: key.onDemandRotations + (automatic ? 0 : 1),
        nextRotationDate:
          automatic && d.nextRotationDate !== undefined
            ? d.nextRotationDate === null
              ? null
              : ms(d.nextRotationDate)
            : key.nextRotationDate,
      };
    }
    case 'KeyRotationEnabled':
      return {
        ...key,
        rotationEnabled: true,
        rotationPeriodInDays: event.data.rotationPeriodInDays,
        nextRotationDate: ms(event.data.nextRotationDate),
      };
    case 'KeyRotationDisabled':
      return { ...key, rotationEnabled: false, nextRotationDate: null };
    case 'KeyEnabled':
      return { ...key, enabled: true };
    case 'KeyDisabled':
      return { ...key, enabled: false };
    case 'KeyDescriptionUpdated':
      return { ...key, description: event.data.description };
    case 'KeyTagsAdded': {
      const added = new Map(event.data.tags.map((t) => [t.TagKey, t.TagValue]));
      const kept = key.tags.filter((t) => !added.has(t.TagKey));
      return { ...key, tags: [...kept, ...event.data.tags] };
    }
    case 'KeyTagsRemoved': {
      const removed = new Set(event.data.tagKeys);
      return { ...key, tags: key.tags.filter((t) => !removed.has(t.TagKey)) };
    }
    case 'KeyDeletionScheduled':
      return {
        ...key,
        // AWS reports a key pending deletion as not enabled.
        enabled: false,
        deletionDate: ms(event.data.deletionDate),
        pendingWindowInDays: event.data.pendingWindowInDays,
        pendingReplicaDeletion: false,
      };
    case 'KeyDeletionCanceled':
      // AWS: a key whose deletion is canceled comes back Disabled.
      return { ...key, deletionDate: null, pendingWindowInDays: null, enabled: false, pendingReplicaDeletion: false };
    case 'KeyDeleted':
      return {
        ...key,
        deleted: true,
        deletedAt: ms(event.data.deletedAt),
        enabled: false,
        backingKeys: withEach(key.backingKeys, (b) => ({ ...b, state: 'DESTROYED', hasMaterial: false })),
      };
    case 'KeyImportParametersIssued': {
      const d = event.data;
      return {
        ...key,
        importParameters: [
          ...key.importParameters,
          {
            importTokenId: d.importTokenId,
            wrappingAlgorithm: d.wrappingAlgorithm,
            wrappingKeySpec: d.wrappingKeySpec,
            sealedPrivateKey: d.sealedPrivateKey,
            shredKeyId: d.shredKeyId,
            validTo: ms(d.validTo),
            spent: false,
          },
        ],
      };
    }
    case 'KeyImportParametersExpired':
      return { ...key, importParameters: spend(key.importParameters, event.data.importTokenId) };
    case 'OrphanShredKeysDestroyed': // destroys only what was already dead: nothing changes
      return key;
    case 'KeyMaterialImported': {
      const d = event.data;
      const existing = findBackingKey(key, d.keyMaterialId);
      key = { ...key, importParameters: spend(key.importParameters, d.importTokenId) };
      if (existing && existing.shredKeyId !== d.shredKeyId)
        key = { ...key, supersededShredKeyIds: [...key.supersededShredKeyIds, existing.shredKeyId] };
      const imported = {
        hasMaterial: true,
        shredKeyId: d.shredKeyId,
        importState: 'IMPORTED' as const,
        expirationModel: d.expirationModel,
        validTo: d.validTo === null ? null : ms(d.validTo),
        description: d.keyMaterialDescription ?? existing?.description ?? null,
      };
      if (existing) {
        // Re-import of known material: it takes back the place it had.
        const state: MaterialState =
          key.currentKeyMaterialId === d.keyMaterialId
            ? 'CURRENT'
            : existing.state === 'PENDING_ROTATION'
              ? 'PENDING_ROTATION'
              : 'NON_CURRENT';
        const enabled =
          key.currentKeyMaterialId === d.keyMaterialId && !currentMaterialUsable(key) ? true : key.enabled;
        return {
          ...key,
          enabled,
          backingKeys: withChanges(key.backingKeys, [[d.keyMaterialId, (b) => ({ ...b, ...imported, state })]]),
        };
      }
      const first = key.currentKeyMaterialId === null;
      const backing: BackingKey = {
        keyMaterialId: d.keyMaterialId,
        origin: 'EXTERNAL',
        createdAt: ms(d.importedAt),
        state: first ? 'CURRENT' : 'PENDING_ROTATION',
        rotationDate: null,
        rotationType: null,
        ...imported,
      };
      return {
        ...key,
        enabled: first ? true : key.enabled,
        backingKeys: withAppended(key.backingKeys, backing),
        currentKeyMaterialId: first ? d.keyMaterialId : key.currentKeyMaterialId,
      };
    }
    case 'KeyMaterialDeleted':
    case 'KeyMaterialExpired': {
      const d = event.data;
      const state: MaterialState = event.type === 'KeyMaterialDeleted' ? 'DELETED' : 'EXPIRED';
      const wasCurrent = key.currentKeyMaterialId === d.keyMaterialId;
      return {
        ...key,
        // AWS: losing the current material leaves the key disabled and pending import.
        enabled: wasCurrent ? false : key.enabled,
        backingKeys: withChanges(key.backingKeys, [
          [d.keyMaterialId, (b) => ({ ...b, state, hasMaterial: false, importState: 'PENDING_IMPORT' })],
        ]),
      };
    }
    case 'KeyReplicated':
    case 'KeyMaterialArrived':
    case 'KeyPrimaryRegionUpdated':
    case 'KeyReplicaDeleted':
    case 'KeyDeletionAwaitingReplicas':
      return evolveMultiRegion(key, event);
    default:
      // Facts of other folds on the key's stream (key policy, grants) leave the lifecycle as it is.
      return key;
  }
}
