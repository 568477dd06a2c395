import { withAppended, withChanges } from './backing-key-index.js';
import type { BackingKey, KeyAggregate } from './key-state.js';
import type { KeyPrimaryRegionUpdated, MultiRegionKeyEvent } from './multi-region-events.js';

/** Where a multi-Region key's primary is; `replicaRegions` is kept by the primary (a replica's may be stale). */
export interface MultiRegionRole {
  primaryRegion: string;
  replicaRegions: readonly string[];
  /**
   * The last primary move this member recorded (null: none in this life). Members that disagree about their
   * primary are put right from it: see primaryMoveToFinish.
   */
  lastPrimaryMove: KeyPrimaryRegionUpdated['data'] | null;
}

export type MultiRegionKeyType = 'PRIMARY' | 'REPLICA';

/** PRIMARY or REPLICA for a multi-Region key; undefined for a single-Region one. */
export function multiRegionKeyTypeOf(key: KeyAggregate): MultiRegionKeyType | undefined {
  if (!key.multiRegion) return undefined;
  return key.multiRegion.primaryRegion === key.region ? 'PRIMARY' : 'REPLICA';
}

export const isReplica = (key: KeyAggregate): boolean => multiRegionKeyTypeOf(key) === 'REPLICA';

const ms = (iso: string): number => Date.parse(iso);

function withRole(key: KeyAggregate, change: (role: MultiRegionRole) => MultiRegionRole): KeyAggregate {
  return key.multiRegion ? { ...key, multiRegion: change(key.multiRegion) } : key;
}

export function evolveMultiRegion(key: KeyAggregate, event: MultiRegionKeyEvent): KeyAggregate {
  switch (event.type) {
    case 'KeyReplicated':
      return withRole(key, (role) => ({ ...role, replicaRegions: [...role.replicaRegions, event.data.replicaRegion] }));
    case 'KeyReplicaDeleted':
      return withRole(key, (role) => ({
        ...role,
        replicaRegions: role.replicaRegions.filter((r) => r !== event.data.replicaRegion),
      }));
    case 'KeyDeletionAwaitingReplicas':
      // AWS reports a key pending deletion as not enabled; no deletion date until the last replica goes.
      return {
        ...key,
        enabled: false,
        pendingReplicaDeletion: true,
        pendingWindowInDays: event.data.pendingWindowInDays,
      };
    case 'KeyMaterialArrived': {
      const d = event.data;
      const arrived: BackingKey = {
        keyMaterialId: d.keyMaterialId,
        origin: 'AWS_KMS',
        hasMaterial: true,
        shredKeyId: d.shredKeyId,
        // For a replica, a backing key exists from when it arrived: what "held since" answers.
        createdAt: ms(d.arrivedAt),
        state: d.current ? 'CURRENT' : 'NON_CURRENT',
        rotationDate: d.rotationDate === null ? null : ms(d.rotationDate),
        rotationType: d.rotationType,
        importState: null,
        expirationModel: null,
        validTo: null,
        description: null,
      };
      const previous = d.current && key.currentKeyMaterialId !== d.keyMaterialId ? key.currentKeyMaterialId : null;
      const backingKeys = withChanges(withAppended(key.backingKeys, arrived), [
        // Stryker disable next-line ConditionalExpression: the backing key currentKeyMaterialId names is CURRENT
        [previous, (b) => (b.state === 'CURRENT' ? { ...b, state: 'NON_CURRENT' } : b)],
      ]);
      return {
        ...key,
        backingKeys,
        currentKeyMaterialId: d.current ? d.keyMaterialId : key.currentKeyMaterialId,
        lastRotatedAt: d.current && d.rotationDate !== null ? ms(d.rotationDate) : key.lastRotatedAt,
      };
    }
    case 'KeyPrimaryRegionUpdated': {
      const d = event.data;
      const becomesPrimary = d.primaryRegion === key.region;
      const moved = withRole(key, () => ({
        primaryRegion: d.primaryRegion,
        replicaRegions: becomesPrimary ? d.replicaRegions : [],
        lastPrimaryMove: d,
      }));
      // The shared rotation settings live on the primary: the scheduler rotates only there.
      return becomesPrimary
        ? {
            ...moved,
            rotationEnabled: d.rotation.enabled,
            rotationPeriodInDays: d.rotation.periodInDays,
            nextRotationDate: d.rotation.nextRotationDate === null ? null : ms(d.rotation.nextRotationDate),
            onDemandRotations: d.rotation.onDemandRotations,
          }
        : { ...moved, rotationEnabled: false, nextRotationDate: null };
    }
  }
}

/**
 * The key whose automatic-rotation settings and rotation history a key's rotation is judged by. AWS manages
 * a multi-Region key's rotation on its primary and shares it with every replica, so a replica's own settings
 * (always off) say nothing: its primary's do. `primaryOf` finds the member in a region (undefined: not there,
 * as of the time asked about); a single-Region key, a primary, or a replica without its primary answer itself.
 */
export function rotationHolderOf(
  key: KeyAggregate,
  primaryOf: (region: string) => KeyAggregate | undefined,
): KeyAggregate {
  if (multiRegionKeyTypeOf(key) !== 'REPLICA') return key;
  const primary = primaryOf(key.multiRegion!.primaryRegion);
  return primary && primary.exists && !primary.deleted && primary.keyId === key.keyId ? primary : key;
}

/**
 * The primary's backing keys a replica is to be given and does not hold (`held`: its KeyMaterialIds): generated
 * material that can still be opened. Imported material is imported into each replica by its owner (AWS).
 */
export function backingKeysToDeliver(primary: KeyAggregate, held: ReadonlySet<string>): BackingKey[] {
  return primary.backingKeys.filter((b) => !held.has(b.keyMaterialId) && b.hasMaterial && b.origin === 'AWS_KMS');
}

/** Whether a live replica lacks a backing key its primary would deliver: a delivery cut short, to repair. */
export const replicaLacksBackingKeys = (primary: KeyAggregate, replica: KeyAggregate): boolean =>
  !replica.deleted &&
  backingKeysToDeliver(primary, new Set(replica.backingKeys.map((b) => b.keyMaterialId))).length > 0;
