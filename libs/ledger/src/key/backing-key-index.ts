import type { BackingKey } from './key-state.js';

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
  return all.findLastIndex((backingKey) => backingKey.keyMaterialId === keyMaterialId);
}

/** The position of the backing key `keyMaterialId` in `all`, or -1. */
function positionOf(all: readonly BackingKey[], keyMaterialId: string): number {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: scan and index find the same position
  if (all.length < INDEX_FROM) return scanFor(all, keyMaterialId);
  // The current backing key is almost always the newest: found without the index.
  // Stryker disable next-line ArithmeticOperator: a wrong last position only misses the shortcut, and the index answers
  const last = all.length - 1;
  // Stryker disable next-line OptionalChaining: `all` has at least INDEX_FROM entries here
  if (all[last]?.keyMaterialId === keyMaterialId) return last;
  let index = backingKeyIndex.get(all);
  if (!index) {
    // An array not derived through these functions from an indexed one (a restored snapshot,
    // a history that just grew past INDEX_FROM): indexed once, then carried forward.
    index = new Map(all.map((backingKey, i) => [backingKey.keyMaterialId, i]));
    backingKeyIndex.set(all, index);
  }
  const hint = index.get(keyMaterialId);
  if (hint === undefined) return -1;
  if (all[hint]?.keyMaterialId === keyMaterialId) return hint;
  return scanFor(all, keyMaterialId);
}

/** The backing key `keyMaterialId` among `all`, or undefined. */
export function findIn(all: readonly BackingKey[], keyMaterialId: string): BackingKey | undefined {
  const at = positionOf(all, keyMaterialId);
  return at < 0 ? undefined : all[at];
}

/** `next` has the ids of `from` at the same positions: it shares `from`'s index, if any. */
function sameIdsAs(next: readonly BackingKey[], from: readonly BackingKey[]): readonly BackingKey[] {
  // Stryker disable next-line ConditionalExpression,BlockStatement: an unshared index is rebuilt at first lookup
  if (from.length >= INDEX_FROM) {
    const index = backingKeyIndex.get(from);
    // Stryker disable next-line ConditionalExpression: an unshared index is rebuilt at first lookup
    if (index) backingKeyIndex.set(next, index);
  }
  return next;
}

/** `from` with `added` appended; the index of `from`, if any, grows by one and is shared. */
export function withAppended(from: readonly BackingKey[], added: BackingKey): readonly BackingKey[] {
  // concat allocates the exact length once; slice() then push() would copy twice.
  const next = from.concat([added]);
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: an unshared index is rebuilt later
  if (from.length >= INDEX_FROM) {
    const index = backingKeyIndex.get(from);
    // Stryker disable next-line BlockStatement: an unshared index is rebuilt at first lookup
    if (index) {
      index.set(added.keyMaterialId, from.length);
      backingKeyIndex.set(next, index);
    }
  }
  return next;
}

/** A change to one backing key, by id; a missing id changes nothing. */
export type BackingKeyChange = readonly [keyMaterialId: string | null, change: (b: BackingKey) => BackingKey];

/** `all` with the changes applied, in one copy; the index, if any, is shared. */
export function withChanges(all: readonly BackingKey[], changes: readonly BackingKeyChange[]): readonly BackingKey[] {
  let next: BackingKey[] | undefined;
  for (const [keyMaterialId, change] of changes) {
    if (keyMaterialId === null) continue;
    const at = positionOf(all, keyMaterialId);
    if (at < 0) continue;
    next ??= all.slice();
    const current = next[at];
    if (current !== undefined) next[at] = change(current);
  }
  return next ? sameIdsAs(next, all) : all;
}

/** `all` with every backing key changed; the index, if any, is shared. */
export function withEach(all: readonly BackingKey[], change: (b: BackingKey) => BackingKey): readonly BackingKey[] {
  return sameIdsAs(all.map(change), all);
}
