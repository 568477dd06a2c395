import type { KeyAggregate } from './key-state.js';
import type { KeyPrimaryRegionUpdated } from './multi-region-events.js';

/** A move of the primary role, as each member records it (the same data on every stream). */
export type PrimaryMove = KeyPrimaryRegionUpdated['data'];

/** An UpdatePrimaryRegion that some members of a key have not recorded, and who has still to record it. */
export interface PrimaryMoveToFinish {
  move: PrimaryMove;
  /** Regions of the members still to record the move: the new primary first, the others in the order given. */
  followers: string[];
}

/** Whether two records are of one move: a move is decided once, on one stream, at one instant. */
export const isSameMove = (a: PrimaryMove, b: PrimaryMove): boolean =>
  a.updatedAt === b.updatedAt &&
  a.primaryRegion === b.primaryRegion &&
  a.previousPrimaryRegion === b.previousPrimaryRegion;

/**
 * Whether move `a` was made after move `b`. Only the primary decides a move, and it records the move on its own
 * stream before any other member hears of it, so the moves of one key form a chain in time. Two moves in one
 * millisecond are ordered by the chain: the later was decided by the primary the earlier made.
 */
function isLaterMove(a: PrimaryMove, b: PrimaryMove): boolean {
  const at = Date.parse(a.updatedAt);
  const bt = Date.parse(b.updatedAt);
  if (at !== bt) return at > bt;
  return a.previousPrimaryRegion === b.primaryRegion;
}

const isLive = (key: KeyAggregate): boolean => key.exists && !key.deleted && key.multiRegion !== null;

/**
 * The regions a member names as members of its key: its own, its primary's, the replicas it lists, and every
 * member of the last move it recorded (an old primary lists no replicas once it has moved the role away).
 * Following these from any member reaches every member a move cut short can have left behind.
 */
export function memberRegionsNamedBy(key: KeyAggregate): string[] {
  const role = key.multiRegion;
  if (role === null) return [key.region];
  const move = role.lastPrimaryMove;
  const moved = move === null ? [] : [move.primaryRegion, move.previousPrimaryRegion, ...move.replicaRegions];
  return [...new Set([key.region, role.primaryRegion, ...role.replicaRegions, ...moved])];
}

/**
 * UpdatePrimaryRegion is appended to the old primary's stream, then to the new primary's, then to every other
 * replica's. A crash in between leaves members that name different primaries: after the first append, none
 * of them is the primary (each names another), so nothing rotates and no move or replication is accepted;
 * after the second, replicas still name the old primary.
 *
 * The latest recorded move wins, and is carried forward to every live member that names another primary.
 * Forward, not back: the old primary decided the move on its own stream, with its expected revision, and
 * gave up the role there; that record is the fact, and the other members' records are copies of it, the way
 * a replica's `KeyMaterialArrived` is a copy of its primary's rotation. Rolling back would overturn a durable
 * decision because its copies were late, and after the first append the new primary's stream has no record
 * to prefer. Members that already name the right primary are left alone, even if they missed an older move
 * (following it would change nothing in their state).
 *
 * `members`: every member's fold, as its stream has it. Undefined when no member recorded a move, when every
 * live member already names the latest move's primary, or when that primary is not live (deleted since):
 * no member can be made its replica then, and nothing is decided.
 */
export function primaryMoveToFinish(members: readonly KeyAggregate[]): PrimaryMoveToFinish | undefined {
  let move: PrimaryMove | undefined;
  for (const member of members) {
    const recorded = member.multiRegion?.lastPrimaryMove ?? null;
    if (recorded !== null && (move === undefined || isLaterMove(recorded, move))) move = recorded;
  }
  if (move === undefined) return undefined;
  const primaryRegion = move.primaryRegion;
  const live = members.filter(isLive);
  if (!live.some((m) => m.region === primaryRegion)) return undefined;
  const behind = live.filter((m) => m.multiRegion!.primaryRegion !== primaryRegion).map((m) => m.region);
  if (behind.length === 0) return undefined;
  const followers = [...behind.filter((r) => r === primaryRegion), ...behind.filter((r) => r !== primaryRegion)];
  return { move, followers };
}
