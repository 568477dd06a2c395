import { DAY_MS } from '../common-constants.js';
import { DomainError, type Decision } from '../domain-error.js';
import type { KeyEvent, Origin, Tag } from './key-events.js';
import { keyErrors, requireEnabled, requireLiveKey } from './key-guards.js';
import type { KeyUsage, ServedKeySpec } from './key-specs.js';
import { initialKeyState, type KeyAggregate } from './key-state.js';
import { iso, keyCreated } from './key-creation.js';
import type { KeyMaterialArrived, KeyPrimaryRegionUpdated } from './multi-region-events.js';
import { isSameMove } from './multi-region-primary-move.js';
import { multiRegionKeyTypeOf } from './multi-region-state.js';

/** A backing key of the primary on its way to a replica, already sealed under the replica's own shred key. */
export type BackingKeyArrival = Omit<KeyMaterialArrived['data'], 'arrivedAt' | 'fromRegion'>;

/**
 * The commands of multi-Region keys. The handlers run them on the streams they name:
 * ReplicateKey, UpdatePrimaryRegion and ForgetReplica on the primary's, the others on
 * the stream of the replica (or member) they change.
 */
export type MultiRegionCommand =
  | {
      type: 'CreateReplica';
      keyId: string;
      arn: string;
      accountId: string;
      region: string;
      description: string;
      tags: Tag[];
      /** The shared properties, as the primary has them. */
      primary: { region: string; keySpec: ServedKeySpec; keyUsage: KeyUsage; origin: Origin };
      arrivals: BackingKeyArrival[];
      now: Date;
    }
  | { type: 'ReplicateKey'; replicaRegion: string; replicaArn: string; arn?: string; now: Date }
  /** The replica in `replicaRegion` was created: the primary lists it (once), whoever gets there first. */
  | { type: 'RecordReplica'; replicaRegion: string; now: Date }
  | { type: 'ReceiveBackingKeys'; fromRegion: string; arrivals: BackingKeyArrival[]; now: Date }
  | {
      type: 'UpdatePrimaryRegion';
      primaryRegion: string;
      /** The replica that is to become the primary, as loaded (undefined: none in that region). */
      newPrimary: KeyAggregate | undefined;
      newPrimaryArn: string;
      arn?: string;
      now: Date;
    }
  | { type: 'FollowPrimaryRegion'; update: KeyPrimaryRegionUpdated['data']; now: Date }
  | { type: 'ForgetReplica'; replicaRegion: string; now: Date };

export type MultiRegionCommandType = MultiRegionCommand['type'];

const MULTI_REGION_COMMANDS: ReadonlySet<string> = new Set<MultiRegionCommandType>([
  'CreateReplica',
  'ReplicateKey',
  'RecordReplica',
  'ReceiveBackingKeys',
  'UpdatePrimaryRegion',
  'FollowPrimaryRegion',
  'ForgetReplica',
]);

export const isMultiRegionCommand = (command: { type: string }): command is MultiRegionCommand =>
  MULTI_REGION_COMMANDS.has(command.type);

export const multiRegionErrors = {
  notMultiRegion: (arn: string) =>
    new DomainError('Unsupported', `${arn} is not a multi-Region key: this operation supports multi-Region keys only.`),
  notPrimary: (arn: string) =>
    new DomainError('Unsupported', `${arn} is a multi-Region replica key: this operation takes the primary key.`),
  replicaRotation: (arn: string) =>
    new DomainError(
      'Unsupported',
      `${arn} is a multi-Region replica key: rotation is a shared property, managed on the primary key.`,
    ),
};

/**
 * A replica whose deletion completed may be made again by replicating the primary into its region (AWS). Its
 * stream goes on: the new replica's `KeyCreated` follows the old one's `KeyDeleted`, so the chain stays
 * append-only and the history of both replicas reads in one place. A key still pending deletion is not
 * deleted: it is there, and ReplicateKey answers AlreadyExists.
 */
const replicaMayBeMadeAgain = (key: KeyAggregate): boolean => key.exists && key.deleted && key.multiRegion !== null;

/** The stream's key must be the primary of a multi-Region key. */
function requirePrimary(key: KeyAggregate, arn: string): DomainError | undefined {
  const dead = requireLiveKey(key, arn);
  if (dead) return dead;
  const role = multiRegionKeyTypeOf(key);
  if (role === undefined) return multiRegionErrors.notMultiRegion(key.arn);
  if (role === 'REPLICA') return multiRegionErrors.notPrimary(key.arn);
  return undefined;
}

function arrivalsOf(arrivals: BackingKeyArrival[], fromRegion: string, now: Date): KeyEvent[] {
  return arrivals.map((a) => ({ type: 'KeyMaterialArrived', data: { ...a, fromRegion, arrivedAt: iso(now) } }));
}

export function decideMultiRegion(command: MultiRegionCommand, key: KeyAggregate): Decision<KeyEvent> {
  switch (command.type) {
    case 'CreateReplica': {
      const { primary } = command;
      const created = keyCreated(replicaMayBeMadeAgain(key) ? initialKeyState() : key, {
        keyId: command.keyId,
        arn: command.arn,
        accountId: command.accountId,
        region: command.region,
        description: command.description,
        keyUsage: primary.keyUsage,
        keySpec: primary.keySpec,
        origin: primary.origin,
        tags: command.tags,
        now: command.now,
        multiRegion: { primaryRegion: primary.region },
      });
      if (created instanceof DomainError) return created;
      return [created, ...arrivalsOf(command.arrivals, primary.region, command.now)];
    }

    case 'ReplicateKey': {
      const refused = requirePrimary(key, command.arn ?? key.arn);
      if (refused) return refused;
      if (key.pendingReplicaDeletion || key.deletionDate !== null) return keyErrors.pendingDeletion(key);
      const { replicaRegion } = command;
      if (replicaRegion === key.region || key.multiRegion!.replicaRegions.includes(replicaRegion))
        return new DomainError('AlreadyExists', `Key '${command.replicaArn}' already exists`);
      return [{ type: 'KeyReplicated', data: { replicaRegion, replicatedAt: iso(command.now) } }];
    }

    case 'RecordReplica': {
      // ReplicateKey's rules were checked before the replica was made; this records a fact that already holds,
      // so it is never refused. Nothing if already listed: ReplicateKey's own record or a repair got there first.
      const { replicaRegion } = command;
      if (multiRegionKeyTypeOf(key) !== 'PRIMARY' || key.deleted) return [];
      if (replicaRegion === key.region || key.multiRegion!.replicaRegions.includes(replicaRegion)) return [];
      return [{ type: 'KeyReplicated', data: { replicaRegion, replicatedAt: iso(command.now) } }];
    }

    case 'ReceiveBackingKeys': {
      // A deleted replica takes nothing more; one pending deletion still does (its deletion may be canceled).
      if (!key.exists || key.deleted || multiRegionKeyTypeOf(key) !== 'REPLICA') return [];
      const held = new Set(key.backingKeys.map((b) => b.keyMaterialId));
      const fresh = command.arrivals.filter((a) => !held.has(a.keyMaterialId));
      return arrivalsOf(fresh, command.fromRegion, command.now);
    }

    case 'UpdatePrimaryRegion': {
      const refused = requirePrimary(key, command.arn ?? key.arn);
      if (refused) return refused;
      const { primaryRegion, newPrimary } = command;
      if (primaryRegion === key.region)
        return new DomainError('Validation', `${key.arn} is already the primary key in ${primaryRegion}.`);
      if (!key.multiRegion!.replicaRegions.includes(primaryRegion) || !newPrimary || !newPrimary.exists)
        return keyErrors.notFound(command.newPrimaryArn);
      // AWS: both the primary and the replica must be Enabled when the operation starts.
      const notEnabled = requireEnabled(key) ?? requireEnabled(newPrimary);
      if (notEnabled) return notEnabled;
      const replicaRegions = [...key.multiRegion!.replicaRegions.filter((r) => r !== primaryRegion), key.region];
      return [
        {
          type: 'KeyPrimaryRegionUpdated',
          data: {
            primaryRegion,
            previousPrimaryRegion: key.region,
            replicaRegions,
            rotation: {
              enabled: key.rotationEnabled,
              periodInDays: key.rotationPeriodInDays,
              nextRotationDate: key.nextRotationDate === null ? null : iso(key.nextRotationDate),
              onDemandRotations: key.onDemandRotations,
            },
            updatedAt: iso(command.now),
          },
        },
      ];
    }

    case 'FollowPrimaryRegion': {
      if (!key.exists || key.deleted || !key.multiRegion) return [];
      // Recorded already (a repair and a retry, or two servers, carrying the same move): once is the fact.
      const last = key.multiRegion.lastPrimaryMove;
      if (last !== null && isSameMove(last, command.update)) return [];
      return [{ type: 'KeyPrimaryRegionUpdated', data: command.update }];
    }

    case 'ForgetReplica': {
      if (!key.exists || key.deleted || !key.multiRegion?.replicaRegions.includes(command.replicaRegion)) return [];
      const forgotten: KeyEvent = {
        type: 'KeyReplicaDeleted',
        data: { replicaRegion: command.replicaRegion, deletedAt: iso(command.now) },
      };
      const lastReplica = key.multiRegion.replicaRegions.length === 1;
      if (!key.pendingReplicaDeletion || !lastReplica) return [forgotten];
      // The last replica is gone: the primary's waiting period begins now (AWS).
      const window = key.pendingWindowInDays;
      // Stryker disable next-line ConditionalExpression,ArrayDeclaration: awaiting replicas records a window; type only
      if (window === null) return [forgotten];
      return [
        forgotten,
        {
          type: 'KeyDeletionScheduled',
          data: { deletionDate: iso(command.now.getTime() + window * DAY_MS), pendingWindowInDays: window },
        },
      ];
    }
  }
}
