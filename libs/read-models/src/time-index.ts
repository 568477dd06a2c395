import type { RecordedEvent } from '@keyledger/event-store';
import {
  ALIAS_EVENT_TYPES,
  ALIAS_STREAM_PREFIX,
  aliasTargetAfter,
  keyIdOfStream,
  type AliasEvent,
} from '@keyledger/ledger';
import { eventTimeMs } from './ledger/history.js';

const ALIAS_TYPES = new Set<string>(ALIAS_EVENT_TYPES);

/**
 * When things happened, beside the KeyStateCache's current folds: each key's
 * creation time and latest event time, and each alias's targets over time.
 * With them an as-of question about a key that has not changed since T is
 * answered from the cache's current fold, and only keys changed after T are
 * replayed. Times are domain times (each event's `metadata.time`).
 *
 * Fed only from the log, in log order (the subscription, a query's catch-up
 * read). Every update names the stream revision it comes from, so applying an
 * event twice (the subscription delivers what a query already read) changes
 * nothing. A key revision that skips one marks the key's times incomplete:
 * queries then replay that stream rather than trust them.
 */
export interface KeyTimes {
  /** Revision of the last event whose time is counted; -1n before any. */
  revision: bigint;
  /** Time of its KeyCreated; Infinity until one is seen. */
  createdMs: number;
  /** The largest time among its events: as of any T at or after it, the current fold is the answer. */
  maxTimeMs: number;
  complete: boolean;
}

/** One step of an alias's life: from `timeMs` on it points at `target` (null: deleted). */
export interface AliasPoint {
  timeMs: number;
  target: string | null;
}

interface AliasTimes {
  revision: bigint;
  /** Each event names its alias's target, so a missed event loses only its own step. */
  points: AliasPoint[];
}

export interface TimeIndexContents {
  keys: Array<[string, KeyTimes]>;
  aliases: Array<[string, AliasTimes]>;
}

export class TimeIndex {
  private readonly keys = new Map<string, KeyTimes>();
  private readonly aliases = new Map<string, AliasTimes>();
  /** Key id → every alias that ever pointed at it. */
  private readonly aliasesEver = new Map<string, Set<string>>();

  contents(): TimeIndexContents {
    return { keys: [...this.keys], aliases: [...this.aliases] };
  }

  restore(contents: TimeIndexContents): void {
    this.keys.clear();
    this.aliases.clear();
    this.aliasesEver.clear();
    for (const [keyId, times] of contents.keys) this.keys.set(keyId, times);
    for (const [name, times] of contents.aliases) {
      this.aliases.set(name, times);
      for (const point of times.points) if (point.target !== null) this.everPointed(name, point.target);
    }
  }

  /** One recorded event from any stream, in log order; streams without times are passed by. */
  applyRecorded(event: RecordedEvent): void {
    const keyId = keyIdOfStream(event.streamName);
    if (keyId !== undefined) {
      this.keyEvent(keyId, event.revision, event.type, eventTimeMs(event));
    } else if (event.streamName.startsWith(ALIAS_STREAM_PREFIX)) {
      const aliasName = event.streamName.slice(ALIAS_STREAM_PREFIX.length);
      this.aliasEvent(aliasName, event.revision, event.type, event.data as Record<string, unknown>, eventTimeMs(event));
    }
  }

  key(keyId: string): KeyTimes | undefined {
    return this.keys.get(keyId);
  }

  /** Events come in log order, so a skipped revision is lost for good: the key's times are then incomplete. */
  keyEvent(keyId: string, revision: bigint, type: string, timeMs: number): void {
    let times = this.keys.get(keyId);
    if (!times) {
      times = { revision: -1n, createdMs: Infinity, maxTimeMs: -Infinity, complete: true };
      this.keys.set(keyId, times);
    }
    if (revision <= times.revision) return;
    if (revision !== times.revision + 1n) times.complete = false;
    times.revision = revision;
    if (type === 'KeyCreated' && times.createdMs === Infinity) times.createdMs = timeMs;
    if (timeMs > times.maxTimeMs) times.maxTimeMs = timeMs;
  }

  aliasEvent(aliasName: string, revision: bigint, type: string, data: Record<string, unknown>, timeMs: number): void {
    let times = this.aliases.get(aliasName);
    if (!times) {
      times = { revision: -1n, points: [] };
      this.aliases.set(aliasName, times);
    }
    if (revision <= times.revision) return;
    times.revision = revision;
    if (!ALIAS_TYPES.has(type)) return;
    const target = aliasTargetAfter({ type, data } as AliasEvent);
    times.points.push({ timeMs, target });
    if (target !== null) this.everPointed(aliasName, target);
  }

  /** The alias names pointing at `keyId` as of `asOfMs`, sorted. */
  aliasesOf(keyId: string, asOfMs: number): string[] {
    const names = this.aliasesEver.get(keyId);
    if (!names) return [];
    const result: string[] = [];
    for (const name of names) if (targetAt(this.aliases.get(name)!.points, asOfMs) === keyId) result.push(name);
    return result.sort();
  }

  /** The key `aliasName` pointed at as of `asOfMs`, or null (not created yet, or deleted by then). */
  aliasTargetAt(aliasName: string, asOfMs: number): string | null {
    const times = this.aliases.get(aliasName);
    return times ? targetAt(times.points, asOfMs) : null;
  }

  /** Every alias that ever pointed at `keyId`. */
  aliasNamesEver(keyId: string): string[] {
    return [...(this.aliasesEver.get(keyId) ?? [])].sort();
  }

  /** Key id → its alias names (sorted) as of `asOfMs`, for every key that has one. */
  aliasesByKey(asOfMs: number): Map<string, string[]> {
    const byKey = new Map<string, string[]>();
    for (const [name, times] of this.aliases) {
      const target = targetAt(times.points, asOfMs);
      if (target === null) continue;
      let names = byKey.get(target);
      if (!names) byKey.set(target, (names = []));
      names.push(name);
    }
    for (const names of byKey.values()) names.sort();
    return byKey;
  }

  private everPointed(aliasName: string, keyId: string): void {
    let names = this.aliasesEver.get(keyId);
    if (!names) this.aliasesEver.set(keyId, (names = new Set()));
    names.add(aliasName);
  }
}

/** Where the alias pointed as of `asOfMs`: the last step before the first one after it. */
export function targetAt(points: readonly AliasPoint[], asOfMs: number): string | null {
  let target: string | null = null;
  for (const point of points) {
    if (point.timeMs > asOfMs) break;
    target = point.target;
  }
  return target;
}
