import {
  bareId,
  DomainError,
  isMultiRegionKeyId,
  keyArnOf,
  multiRegionKeyTypeOf,
  type KeyAggregate,
  type MultiRegionKeyType,
} from '@keyledger/ledger';
import type { AsOfStates } from './as-of-states.js';
import { keyStateName, type KeyStateName } from './key-state-as-of.js';
import { iso, timeOf, type LedgerQueryOptions } from './query-support.js';

/** One backing key as a member of a multi-Region key held it. */
export interface ReplicaBackingKey {
  keyMaterialId: string;
  /** When this member began to hold it: generated (primary) or arrived (replica). */
  heldSince: string;
  state: string;
  current: boolean;
  /** Whether its material could still be opened here (false once this member was deleted). */
  hasMaterial: boolean;
}

export interface ReplicationMember {
  region: string;
  arn: string;
  /** Its role as of the time asked about. */
  multiRegionKeyType: MultiRegionKeyType;
  keyState: KeyStateName;
  createdAt: string;
  deletedAt: string | null;
  backingKeys: ReplicaBackingKey[];
}

export interface ReplicationAsOf {
  keyId: string;
  asOf: string;
  primaryRegion: string;
  /** Every member that existed by then (deleted ones too), the primary first, then by creation. */
  members: ReplicationMember[];
}

/**
 * "Which backing keys did the replica in eu-west-1 hold on date T, and since when": every member of a
 * multi-Region key as of a time, from its own stream. A replica's backing keys are dated by their arrival.
 */
export async function replicationAsOf(
  states: AsOfStates,
  options: LedgerQueryOptions,
  keyId: string,
  asOf: Date,
): Promise<ReplicationAsOf> {
  if (!isMultiRegionKeyId(keyId))
    throw new DomainError('Validation', `'${keyId}' is not a multi-Region key id (mrk- and 32 hex digits).`);
  const at = timeOf(asOf);
  await states.catchUp();
  const members: KeyAggregate[] = [];
  for (const ref of states.cache.keyIds()) {
    if (bareId(ref) !== keyId) continue;
    const state = await states.stateAt(ref, at);
    if (state?.multiRegion) members.push(state);
  }
  const live = members.find((m) => !m.deleted) ?? members[0];
  if (!live)
    throw new DomainError(
      'NotFound',
      `Key '${keyArnOf({ region: options.region, accountId: options.accountId }, keyId)}' did not exist at ${asOf.toISOString()}`,
    );
  const primaryRegion = live.multiRegion!.primaryRegion;
  const order = (m: KeyAggregate) => (m.region === primaryRegion ? -Infinity : m.createdAt);
  members.sort((a, b) => order(a) - order(b));
  return {
    keyId,
    asOf: new Date(at).toISOString(),
    primaryRegion,
    members: members.map((m) => ({
      region: m.region,
      arn: m.arn,
      multiRegionKeyType: multiRegionKeyTypeOf(m)!,
      keyState: keyStateName(m),
      createdAt: new Date(m.createdAt).toISOString(),
      deletedAt: iso(m.deletedAt),
      backingKeys: m.backingKeys.map((b) => ({
        keyMaterialId: b.keyMaterialId,
        heldSince: new Date(b.createdAt).toISOString(),
        state: b.state,
        current: b.keyMaterialId === m.currentKeyMaterialId,
        hasMaterial: b.hasMaterial,
      })),
    })),
  };
}
