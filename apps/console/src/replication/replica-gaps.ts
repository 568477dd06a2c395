import type { ReplicationMember } from '../types.js';

/** What a replica lacks that its primary has, as the replicas panel draws it. Pure: no DOM, no requests. */
export type ReplicaGap =
  /** A backing key of the primary that never reached this replica. */
  | { kind: 'not-held'; keyMaterialId: string }
  /** Held here, but its material is gone (the replica was deleted) while the primary still has it. */
  | { kind: 'material-gone'; keyMaterialId: string }
  /** The primary encrypts with a backing key this replica does not take as its current one. */
  | { kind: 'current-differs'; keyMaterialId: string; here: string | null };

export function replicaGaps(primary: ReplicationMember, replica: ReplicationMember): ReplicaGap[] {
  if (replica === primary) return [];
  const held = new Map(replica.backingKeys.map((b) => [b.keyMaterialId, b]));
  const gaps: ReplicaGap[] = [];
  for (const wanted of primary.backingKeys) {
    if (!wanted.hasMaterial) continue;
    const here = held.get(wanted.keyMaterialId);
    if (here === undefined) gaps.push({ kind: 'not-held', keyMaterialId: wanted.keyMaterialId });
    else if (!here.hasMaterial) gaps.push({ kind: 'material-gone', keyMaterialId: wanted.keyMaterialId });
  }
  const primaryCurrent = primary.backingKeys.find((b) => b.current);
  const replicaCurrent = replica.backingKeys.find((b) => b.current);
  if (primaryCurrent !== undefined && replicaCurrent?.keyMaterialId !== primaryCurrent.keyMaterialId)
    gaps.push({
      kind: 'current-differs',
      keyMaterialId: primaryCurrent.keyMaterialId,
      here: replicaCurrent?.keyMaterialId ?? null,
    });
  return gaps;
}

/** The primary of an answer: the member in the primary region (null once it is gone from the answer). */
export const primaryOf = (members: ReplicationMember[], primaryRegion: string): ReplicationMember | null =>
  members.find((m) => m.region === primaryRegion) ?? null;
