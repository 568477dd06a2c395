import type { ExpirationModel, KeyEvent, Origin, RotationType, Tag } from './key-events.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';

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
  sealedMaterial: string | null;
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
}

export interface KeyAggregate {
  exists: boolean;
  keyId: string;
  arn: string;
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
}

export const initialKeyState = (): KeyAggregate => ({
  exists: false,
  keyId: '',
  arn: '',
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
});

const ms = (iso: string): number => Date.parse(iso);

/** AWS's KeyState, derived: pending deletion wins, then a key without usable current material. */
export function keyStateOf(key: KeyAggregate): KeyState {
  if (key.deletionDate !== null) return 'PendingDeletion';
  if (key.origin === 'EXTERNAL' && !currentMaterialUsable(key)) return 'PendingImport';
  return key.enabled ? 'Enabled' : 'Disabled';
}

/**
 * Backing keys by id, per backing-key array. States are immutable, so an array
 * never changes once made and its index stays exact; a key with a thousand
 * backing keys finds its oldest as fast as its newest.
 */
const backingKeyIndex = new WeakMap<readonly BackingKey[], Map<string, BackingKey>>();
const INDEX_FROM = 8;

export function findBackingKey(key: KeyAggregate, keyMaterialId: string): BackingKey | undefined {
  const all = key.backingKeys;
  if (all.length < INDEX_FROM) {
    for (let i = all.length - 1; i >= 0; i--) if (all[i]!.keyMaterialId === keyMaterialId) return all[i];
    return undefined;
  }
  // The current backing key is almost always the newest: no index is built just to find it.
  const newest = all[all.length - 1]!;
  if (newest.keyMaterialId === keyMaterialId) return newest;
  let index = backingKeyIndex.get(all);
  if (!index) {
    index = new Map(all.map((b) => [b.keyMaterialId, b]));
    backingKeyIndex.set(all, index);
  }
  return index.get(keyMaterialId);
}

function currentMaterialUsable(key: KeyAggregate): boolean {
  if (key.currentKeyMaterialId === null) return false;
  const current = findBackingKey(key, key.currentKeyMaterialId);
  return current !== undefined && current.sealedMaterial !== null && current.state === 'CURRENT';
}

function replaceBackingKey(key: KeyAggregate, keyMaterialId: string, change: Partial<BackingKey>): BackingKey[] {
  return key.backingKeys.map((b) => (b.keyMaterialId === keyMaterialId ? { ...b, ...change } : b));
}

export function evolveKey(key: KeyAggregate, event: KeyEvent): KeyAggregate {
  switch (event.type) {
    case 'KeyCreated': {
      const d = event.data;
      return {
        ...key,
        exists: true,
        keyId: d.keyId,
        arn: d.arn,
        origin: d.origin,
        description: d.description,
        createdAt: ms(d.createdAt),
        enabled: d.origin === 'AWS_KMS',
        tags: d.tags,
      };
    }
    case 'KeyMaterialGenerated': {
      const d = event.data;
      const first = key.backingKeys.length === 0;
      const backing: BackingKey = {
        keyMaterialId: d.keyMaterialId,
        origin: 'AWS_KMS',
        sealedMaterial: d.sealedMaterial,
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
        backingKeys: [...key.backingKeys, backing],
        currentKeyMaterialId: first ? d.keyMaterialId : key.currentKeyMaterialId,
      };
    }
    case 'KeyRotated': {
      const d = event.data;
      const at = ms(d.rotatedAt);
      const backingKeys = key.backingKeys.map((b) => {
        if (b.keyMaterialId === d.keyMaterialId)
          return { ...b, state: 'CURRENT' as const, rotationDate: at, rotationType: d.rotationType };
        if (b.state === 'CURRENT') return { ...b, state: 'NON_CURRENT' as const };
        return b;
      });
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
      };
    case 'KeyDeletionCanceled':
      // AWS: a key whose deletion is canceled comes back Disabled.
      return { ...key, deletionDate: null, pendingWindowInDays: null, enabled: false };
    case 'KeyDeleted':
      return {
        ...key,
        deleted: true,
        deletedAt: ms(event.data.deletedAt),
        enabled: false,
        backingKeys: key.backingKeys.map((b) => ({ ...b, state: 'DESTROYED' as const, sealedMaterial: null })),
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
          },
        ],
      };
    }
    case 'KeyMaterialImported': {
      const d = event.data;
      const existing = findBackingKey(key, d.keyMaterialId);
      const imported = {
        sealedMaterial: d.sealedMaterial,
        shredKeyId: d.shredKeyId,
        importState: 'IMPORTED' as const,
        expirationModel: d.expirationModel,
        validTo: d.validTo === null ? null : ms(d.validTo),
        description: d.keyMaterialDescription ?? existing?.description ?? null,
      };
      if (existing) {
        // Re-import of known material: it takes back the place it had.
        const state: MaterialState =
          key.currentKeyMaterialId === d.keyMaterialId ? 'CURRENT' : existing.state === 'PENDING_ROTATION' ? 'PENDING_ROTATION' : 'NON_CURRENT';
        const enabled = key.currentKeyMaterialId === d.keyMaterialId && !currentMaterialUsable(key) ? true : key.enabled;
        return { ...key, enabled, backingKeys: replaceBackingKey(key, d.keyMaterialId, { ...imported, state }) };
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
        backingKeys: [...key.backingKeys, backing],
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
        backingKeys: replaceBackingKey(key, d.keyMaterialId, {
          state,
          sealedMaterial: null,
          importState: 'PENDING_IMPORT',
        }),
      };
    }
  }
}
