import type { RecordedEvent } from '@keyledger/event-store';
import { evolveKey, initialKeyState, KEY_EVENT_TYPES, type KeyAggregate, type KeyEvent } from '@keyledger/ledger';
import { eventTimeMs } from './history.js';

const KEY_TYPES = new Set<string>(KEY_EVENT_TYPES);

/** evolveKey for a recorded event; events of a type the key model does not know leave the state as it is. */
export function applyKeyEvent(state: KeyAggregate, event: Pick<RecordedEvent, 'type' | 'data'>): KeyAggregate {
  if (!KEY_TYPES.has(event.type)) return state;
  return evolveKey(state, { type: event.type, data: event.data } as unknown as KeyEvent);
}

/** A state snapshot every this many events: an as-of query folds at most this many events. */
const SNAPSHOT_EVERY = 16;

/**
 * One key's stream kept for as-of queries: the events (type and data only),
 * their domain times and a fold snapshot every SNAPSHOT_EVERY events. "As of T"
 * is the fold of the stream's prefix that ends before the first event whose
 * time is after T; `prefixMax` (running maximum of the times) makes that prefix
 * length a binary search even if a clock ever stepped back.
 */
export class KeyTimeline {
  /** Revision of the last event held; -1n when empty. */
  revision = -1n;
  private readonly events: Array<Pick<RecordedEvent, 'type' | 'data'>> = [];
  private readonly prefixMax: number[] = [];
  private readonly snapshots: KeyAggregate[] = [initialKeyState()];
  private last: KeyAggregate = initialKeyState();

  get length(): number {
    return this.events.length;
  }

  /** Appends events in stream order; returns false (and takes nothing) if they do not follow on. */
  append(recorded: readonly RecordedEvent[]): boolean {
    const [first] = recorded;
    if (first !== undefined && first.revision !== this.revision + 1n) return false;
    for (const event of recorded) {
      const time = eventTimeMs(event);
      const previousMax = this.prefixMax.at(-1) ?? -Infinity;
      this.events.push({ type: event.type, data: event.data });
      this.prefixMax.push(time > previousMax ? time : previousMax);
      this.last = applyKeyEvent(this.last, event);
      if (this.events.length % SNAPSHOT_EVERY === 0) this.snapshots.push(this.last);
      this.revision = event.revision;
    }
    return true;
  }

  /** How many events have happened by `asOfMs`. */
  countAt(asOfMs: number): number {
    let lo = 0;
    let hi = this.prefixMax.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.prefixMax[mid] ?? Infinity) <= asOfMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The key folded from the events that had happened by `asOfMs`, and how many that were. */
  stateAt(asOfMs: number): { state: KeyAggregate; count: number } {
    const count = this.countAt(asOfMs);
    if (count === this.events.length) return { state: this.last, count };
    const base = Math.floor(count / SNAPSHOT_EVERY);
    let state = this.snapshots[base] ?? initialKeyState();
    for (const event of this.events.slice(base * SNAPSHOT_EVERY, count)) state = applyKeyEvent(state, event);
    return { state, count };
  }
}
