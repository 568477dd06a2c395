import type { ExpirationModel, KeyEvent, Origin, RotationType, Tag } from './key-events.js';
import type { KeyUsage, ServedKeySpec } from './key-specs.js';

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
  keySpec: ServedKeySpec;
  keyUsage: KeyUsage;
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
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
});

const ms = (iso: string): number => Date.parse(iso);

/** AWS's KeyState, derived: pending deletion wins, then a key without usable current material. */
export function keyStateOf(key: KeyAggregate): KeyState {
  if (key.deletionDate !== null) return 'PendingDeletion';
  if (key.origin === 'EXTERNAL' && !currentMaterialUsable(key)) return 'PendingImport';
  return key.enabled ? 'Enabled' : 'Disabled';
}

/**
 * Where each backing key sits, by id. States are immutable and a backing-key array
 * never shrinks or reorders: an array derived from another (an entry replaced, or
 * one appended) keeps every id at its position. So one id→position Map is shared
 * by a whole history of arrays, grown by one entry per append, instead of a Map
 * per array rebuilt after every rotation.
 *
 * The Map is only a hint. Two branches derived from the same state (two different
 * events applied to it) share it and may give the same position to different ids,
 * so a lookup checks `all[pos].keyMaterialId` and falls back to a scan when the
 * hint is wrong. What the lookup does rely on: every id of every array registered
 * with a Map is a key in it (ids are only ever added), so an id the Map lacks is
 * in none of those arrays.
 */
const backingKeyIndex = new WeakMap<readonly BackingKey[], Map<string, number>>();
/** Below this many backing keys a scan is cheaper than any index, and none is kept. */
const INDEX_FROM = 8;

function scanFor(all: readonly BackingKey[], keyMaterialId: string): number {
  // Newest first. Ids are unique within a key (fresh ids are random; importing known
  // material replaces its record), so the order only matters for speed.
  for (let i = all.length - 1; i >= 0; i--) if (all[i]!.keyMaterialId === keyMaterialId) return i;
  return -1;
}

/** The position of the backing key `keyMaterialId` in `all`, or -1. */
function positionOf(all: readonly BackingKey[], keyMaterialId: string): number {
  if (all.length < INDEX_FROM) return scanFor(all, keyMaterialId);
  // The current backing key is almost always the newest: found without the index.
  const last = all.length - 1;
  if (all[last]!.keyMaterialId === keyMaterialId) return last;
  let index = backingKeyIndex.get(all);
  if (!index) {
    // An array not derived through evolveKey from an indexed one (a restored snapshot,
    // a history that just grew past INDEX_FROM): indexed once, then carried forward.
    index = new Map();
    for (let i = 0; i < all.length; i++) index.set(all[i]!.keyMaterialId, i);
    backingKeyIndex.set(all, index);
  }
  const hint = index.get(keyMaterialId);
  if (hint === undefined) return -1;
  if (all[hint]?.keyMaterialId === keyMaterialId) return hint;
  return scanFor(all, keyMaterialId);
}

export function findBackingKey(key: KeyAggregate, keyMaterialId: string): BackingKey | undefined {
  const at = positionOf(key.backingKeys, keyMaterialId);
  return at < 0 ? undefined : key.backingKeys[at];
}

/** `next` has the ids of `from` at the same positions: it shares `from`'s index, if any. */
function sameIdsAs(next: readonly BackingKey[], from: readonly BackingKey[]): readonly BackingKey[] {
  if (from.length >= INDEX_FROM) {
    const index = backingKeyIndex.get(from);
    if (index) backingKeyIndex.set(next, index);
  }
  return next;
}

/** `from` with `added` appended; the index of `from`, if any, grows by one and is shared. */
function appended(from: readonly BackingKey[], added: BackingKey): readonly BackingKey[] {
  // concat allocates the exact length once; slice() then push() would copy twice.
  const next = from.concat([added]);
  if (from.length >= INDEX_FROM) {
    const index = backingKeyIndex.get(from);
    if (index) {
      index.set(added.keyMaterialId, from.length);
      backingKeyIndex.set(next, index);
    }
  }
  return next;
}

function currentMaterialUsable(key: KeyAggregate): boolean {
  if (key.currentKeyMaterialId === null) return false;
  const current = findBackingKey(key, key.currentKeyMaterialId);
  return current !== undefined && current.hasMaterial && current.state === 'CURRENT';
}

/** One array copy; only the changed backing key is a new object. */
function replaceBackingKey(
  key: KeyAggregate,
  keyMaterialId: string,
  change: Partial<BackingKey>,
): readonly BackingKey[] {
  const all = key.backingKeys;
  const at = positionOf(all, keyMaterialId);
  if (at < 0) return all;
  const next = all.slice();
  next[at] = { ...all[at]!, ...change };
  return sameIdsAs(next, all);
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
        keySpec: d.keySpec,
        keyUsage: d.keyUsage,
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
        backingKeys: appended(key.backingKeys, backing),
        currentKeyMaterialId: first ? d.keyMaterialId : key.currentKeyMaterialId,
      };
    }
    case 'KeyRotated': {
      const d = event.data;
      const at = ms(d.rotatedAt);
      const all = key.backingKeys;
      const next = all.slice();
      // At most one backing key is CURRENT, and it is the one currentKeyMaterialId
      // names: every event that makes one CURRENT also sets currentKeyMaterialId to it.
      const previous =
        key.currentKeyMaterialId === null || key.currentKeyMaterialId === d.keyMaterialId
          ? -1
          : positionOf(all, key.currentKeyMaterialId);
      if (previous >= 0 && all[previous]!.state === 'CURRENT')
        next[previous] = { ...all[previous]!, state: 'NON_CURRENT' };
      const target = positionOf(all, d.keyMaterialId);
      if (target >= 0)
        next[target] = { ...all[target]!, state: 'CURRENT', rotationDate: at, rotationType: d.rotationType };
      const backingKeys = sameIdsAs(next, all);
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
        backingKeys: sameIdsAs(
          key.backingKeys.map((b) => ({ ...b, state: 'DESTROYED' as const, hasMaterial: false })),
          key.backingKeys,
        ),
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
        backingKeys: appended(key.backingKeys, backing),
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
          hasMaterial: false,
          importState: 'PENDING_IMPORT',
        }),
      };
    }
    default:
      // Facts of other folds on the key's stream (key policy, grants) leave the lifecycle as it is.
      return key;
  }
}
