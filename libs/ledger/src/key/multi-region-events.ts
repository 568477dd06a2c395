/**
 * The facts of multi-Region keys (`mrk-…`). A primary and its replicas are keys of the
 * same id in different regions, each with its own stream. What they share (every
 * backing key, spec, usage, origin, rotation settings) comes from the primary; every
 * other property is the stream's own.
 */

import type { RotationType } from './key-events.js';

/** On the primary's stream: a replica of the key was created in `replicaRegion`. */
export interface KeyReplicated {
  type: 'KeyReplicated';
  data: { replicaRegion: string; replicatedAt: string };
}

/**
 * On a replica's stream: a backing key of the multi-Region key arrived from the primary,
 * sealed under a shred key of this replica's own, so that deleting one replica destroys
 * only its copy. `arrivedAt` is when this replica began to hold it.
 */
export interface KeyMaterialArrived {
  type: 'KeyMaterialArrived';
  data: {
    keyMaterialId: string;
    sealedMaterial: string;
    shredKeyId: string;
    /** Key pairs only: base64 DER SubjectPublicKeyInfo, in the clear. */
    publicKey?: string;
    fromRegion: string;
    /** Whether it is the primary's current backing key. */
    current: boolean;
    /** When, and how, it became current on the primary (null: the key's original material). */
    rotationDate: string | null;
    rotationType: RotationType | null;
    arrivedAt: string;
  };
}

/** The shared automatic-rotation settings, carried to the new primary when the primary Region moves. */
export interface SharedRotationSettings {
  enabled: boolean;
  periodInDays: number | null;
  nextRotationDate: string | null;
  onDemandRotations: number;
}

/** On the stream of every member: the primary role moved to `primaryRegion`. */
export interface KeyPrimaryRegionUpdated {
  type: 'KeyPrimaryRegionUpdated';
  data: {
    primaryRegion: string;
    previousPrimaryRegion: string;
    /** Every replica after the move (the previous primary among them). */
    replicaRegions: string[];
    rotation: SharedRotationSettings;
    updatedAt: string;
  };
}

/** On the primary's stream: the replica in `replicaRegion` was deleted. */
export interface KeyReplicaDeleted {
  type: 'KeyReplicaDeleted';
  data: { replicaRegion: string; deletedAt: string };
}

/**
 * A primary with replicas was scheduled for deletion: it waits in PendingReplicaDeletion,
 * and its waiting period begins when its last replica is deleted (as AWS documents).
 */
export interface KeyDeletionAwaitingReplicas {
  type: 'KeyDeletionAwaitingReplicas';
  data: { pendingWindowInDays: number };
}

export type MultiRegionKeyEvent =
  KeyReplicated | KeyMaterialArrived | KeyPrimaryRegionUpdated | KeyReplicaDeleted | KeyDeletionAwaitingReplicas;

export const MULTI_REGION_KEY_EVENT_TYPES: readonly MultiRegionKeyEvent['type'][] = [
  'KeyReplicated',
  'KeyMaterialArrived',
  'KeyPrimaryRegionUpdated',
  'KeyReplicaDeleted',
  'KeyDeletionAwaitingReplicas',
];
