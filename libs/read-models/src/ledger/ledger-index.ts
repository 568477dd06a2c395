import type { EventStore, RecordedEvent } from '@keyledger/event-store';
import { ALIAS_STREAM_PREFIX, initialKeyState, KEY_STREAM_PREFIX, type KeyAggregate } from '@keyledger/ledger';
import { eventTimeMs } from './history.js';
import { applyKeyEvent } from './key-timeline.js';

export interface IndexedKey {
  keyId: string;
  /** Domain time of its KeyCreated; Infinity until one is seen. */
  createdMs: number;
  /** Revision of the last event folded into `state`. */
  revision: bigint;
  /** The largest domain time among its events: as of any T at or after it, `state` is the answer. */
  maxTimeMs: number;
  /** Folded from every event of the stream. */
  state: KeyAggregate;
}

/** One step of an alias's life: from `timeMs` on it points at `target` (null: deleted). */
export interface AliasPoint {
  timeMs: number;
  target: string | null;
}

const PAGE = 4096;

/**
 * What the ledger queries need to know of every key and alias without
 * replaying streams per request: each key's current fold and creation time,
 * and each alias's targets over time. Kept current by reading the store's log
 * onwards from where it last stopped before each query, so it is exact as of
 * that read (one indexed SELECT when nothing is new), whatever process wrote.
 */
export class LedgerIndex {
  readonly keys = new Map<string, IndexedKey>();
  /** Key ids in the order their streams began. */
  readonly keyOrder: string[] = [];
  readonly aliases = new Map<string, AliasPoint[]>();
  /** Key id → every alias that ever pointed at it. */
  private readonly aliasesEver = new Map<string, Set<string>>();
  private position: bigint | 'start' = 'start';
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly store: EventStore) {}

  /** Reads everything committed since the last call; concurrent callers queue so each sees what preceded its call. */
  catchUp(): Promise<void> {
    const next = this.running.then(() => this.readNew());
    // A failed read must not poison later ones; the caller still sees this failure.
    this.running = next.catch(() => undefined);
    return next;
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after: this.position, maxCount: PAGE });
      for (const event of page) this.apply(event);
      if (page.length > 0) this.position = page[page.length - 1]!.position;
      if (page.length < PAGE) return;
    }
  }

  private apply(event: RecordedEvent): void {
    const stream = event.streamName;
    if (stream.startsWith(KEY_STREAM_PREFIX)) {
      const keyId = stream.slice(KEY_STREAM_PREFIX.length);
      const time = eventTimeMs(event);
      let entry = this.keys.get(keyId);
      if (!entry) {
        entry = { keyId, createdMs: Infinity, revision: -1n, maxTimeMs: -Infinity, state: initialKeyState() };
        this.keys.set(keyId, entry);
        this.keyOrder.push(keyId);
      }
      if (event.type === 'KeyCreated' && entry.createdMs === Infinity) entry.createdMs = time;
      entry.state = applyKeyEvent(entry.state, event);
      entry.revision = event.revision;
      if (time > entry.maxTimeMs) entry.maxTimeMs = time;
    } else if (stream.startsWith(ALIAS_STREAM_PREFIX)) {
      const aliasName = stream.slice(ALIAS_STREAM_PREFIX.length);
      const data = event.data as Record<string, unknown>;
      let target: string | null | undefined;
      if (event.type === 'AliasCreated') target = data.targetKeyId as string;
      else if (event.type === 'AliasMoved') target = data.toKeyId as string;
      else if (event.type === 'AliasDeleted') target = null;
      if (target === undefined) return;
      let points = this.aliases.get(aliasName);
      if (!points) this.aliases.set(aliasName, (points = []));
      points.push({ timeMs: eventTimeMs(event), target });
      if (target !== null) {
        let names = this.aliasesEver.get(target);
        if (!names) this.aliasesEver.set(target, (names = new Set()));
        names.add(aliasName);
      }
    }
  }

  /** The alias names pointing at `keyId` as of `asOfMs`, sorted. */
  aliasesOf(keyId: string, asOfMs: number): string[] {
    const names = this.aliasesEver.get(keyId);
    if (!names) return [];
    const result: string[] = [];
    for (const name of names) if (targetAt(this.aliases.get(name)!, asOfMs) === keyId) result.push(name);
    return result.sort();
  }

  /** Every alias that ever pointed at `keyId`. */
  aliasNamesEver(keyId: string): string[] {
    return [...(this.aliasesEver.get(keyId) ?? [])].sort();
  }

  /** Key id → its alias names (sorted) as of `asOfMs`, for every key that has one. */
  aliasesByKey(asOfMs: number): Map<string, string[]> {
    const byKey = new Map<string, string[]>();
    for (const [name, points] of this.aliases) {
      const target = targetAt(points, asOfMs);
      if (target === null) continue;
      let names = byKey.get(target);
      if (!names) byKey.set(target, (names = []));
      names.push(name);
    }
    for (const names of byKey.values()) names.sort();
    return byKey;
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
