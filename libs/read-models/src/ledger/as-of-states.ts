import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import { initialKeyState, keyIdOfStream, keyStreamName, type KeyAggregate } from '@keyledger/ledger';
import { KeyStateCache } from '@keyledger/key-store';
import { PROJECTED_STREAMS } from '../projected-streams.js';
import type { LastUseIndex } from '../last-use-index.js';
import { TimeIndex } from '../time-index.js';
import { eventTimeMs } from './history.js';
import { applyKeyEvent, KeyTimeline } from './key-timeline.js';
import { LOG_PAGE, type SharedProjection } from './query-support.js';

/** Timelines are kept for as-of queries up to this many events in all, least recently used dropped first. */
const TIMELINE_CACHE_EVENTS = 250_000;
/** Beyond this many keys to replay for a past time, one pass over the log beats a read per stream. */
const REPLAY_PER_STREAM_LIMIT = 512;

/**
 * Keys as they were at a time, replayed from the ledger, never by trusting a
 * stored state. Times are domain times (each event's `metadata.time`, from the
 * one Clock): the state "as of T" is the fold of a stream's events up to
 * (excluding) the first one after T. A key unchanged since T is answered from
 * the cache's current fold; only keys changed after T are replayed.
 */
export class AsOfStates {
  readonly cache: KeyStateCache;
  readonly times: TimeIndex;
  /** The shared projection's last uses, if it keeps them: a catch-up read feeds them what it passes. */
  readonly lastUses: LastUseIndex | undefined;
  private readonly timelines = new Map<string, KeyTimeline>();
  private timelineEvents = 0;
  private readPosition: bigint | 'start' = 'start';
  private reading: Promise<void> = Promise.resolve();

  /**
   * Over `shared`, the server's own cache and time index: there is nothing
   * else to build. Without it (the CLI on a data directory), its own,
   * and the first question reads the whole log once.
   */
  constructor(
    private readonly store: EventStore,
    private readonly shared?: SharedProjection,
  ) {
    this.cache = shared?.cache ?? new KeyStateCache();
    this.times = shared?.times ?? new TimeIndex();
    this.lastUses = shared?.lastUses;
  }

  /**
   * Brings the cache and time index up to everything committed before the call, whatever
   * process wrote it: one indexed read when nothing is new. Applying an event
   * the feed also delivers changes nothing (both check revisions).
   * Concurrent callers queue, so each sees what preceded its call.
   */
  catchUp(): Promise<void> {
    const next = this.reading.then(() => this.readNew());
    // A failed read must not poison later ones; the caller still sees this failure.
    this.reading = next.catch(() => undefined);
    return next;
  }

  private async readNew(): Promise<void> {
    const fed = this.shared?.position() ?? 'start';
    let after = later(this.readPosition, fed);
    // Where the store's positions count events (SQLite), its head tells in one indexed read whether anything
    // is new: most as-of questions then read nothing more, and a filtered read learns it passed a left-out tail.
    const head = await this.store.headPosition?.();
    if (head === 'start' || (head !== undefined && after !== 'start' && head <= after)) return;
    // From the shared projection's position, only what its feed has not delivered yet lies ahead: read whole,
    // so the last uses are as exact as the keys. From the start (no projection), a month of usage would be.
    const lastUses = after === 'start' ? undefined : this.lastUses;
    const filter = lastUses === undefined ? PROJECTED_STREAMS : undefined;
    for (;;) {
      const page = await this.store.readAll({ after, maxCount: LOG_PAGE, filter });
      for (const event of page) {
        this.cache.applyRecorded(event);
        this.times.applyRecorded(event);
        lastUses?.applyRecorded(event);
      }
      after = page.at(-1)?.position ?? after;
      if (page.length < LOG_PAGE) break;
    }
    // Every event up to the head read first is in the pages or was left out by the filter.
    this.readPosition = head === undefined ? after : later(after, head);
  }

  /**
   * The key as of `at` when the cache can tell without a replay: its current
   * fold if nothing happened to it after `at`, null if it did not exist by
   * then; undefined when only a replay can tell.
   */
  fromCache(keyId: string, at: number): KeyAggregate | null | undefined {
    const times = this.times.key(keyId);
    // The index has read the whole log: a key it never saw does not exist.
    if (!times) return null;
    if (!times.complete) return undefined;
    if (times.createdMs > at) return null;
    if (at < times.maxTimeMs) return undefined;
    const entry = this.cache.key(keyId);
    return entry && entry.revision === times.revision ? entry.state : undefined;
  }

  /** The key as of `at`, or undefined when it had not been created by then. */
  async stateAt(keyId: string, at: number): Promise<KeyAggregate | undefined> {
    const known = this.fromCache(keyId, at);
    if (known !== undefined) return known ?? undefined;
    const timeline = await this.timeline(keyId);
    const { state } = timeline.stateAt(at);
    return state.exists ? state : undefined;
  }

  /** Every key that existed at `at`, in creation order, folded as of `at`. */
  async statesAt(at: number): Promise<KeyAggregate[]> {
    await this.catchUp();
    const keyIds = this.cache.keyIds();
    // Per key, in creation order: its state, null (did not exist), or undefined (replay it).
    const found = keyIds.map((keyId) => ({ keyId, state: this.fromCache(keyId, at) }));
    const replay = found.filter(({ state }) => state === undefined).map(({ keyId }) => keyId);
    const past = new Map<string, KeyAggregate>();
    if (replay.length > REPLAY_PER_STREAM_LIMIT) {
      for (const [keyId, state] of await this.foldAllAt(new Set(replay), at)) past.set(keyId, state);
    } else {
      for (const keyId of replay) {
        const state = await this.stateAt(keyId, at);
        if (state) past.set(keyId, state);
      }
    }
    const states: KeyAggregate[] = [];
    for (const entry of found) {
      const state = entry.state === undefined ? past.get(entry.keyId) : entry.state;
      if (state && state.exists) states.push(state);
    }
    return states;
  }

  private async timeline(keyId: string): Promise<KeyTimeline> {
    let timeline = this.timelines.get(keyId);
    if (timeline) {
      this.timelines.delete(keyId); // re-inserted below: most recently used last
      this.timelineEvents -= timeline.length;
    }
    const knownRevision = this.times.key(keyId)?.revision ?? -1n;
    if (!timeline || timeline.revision < knownRevision) {
      timeline ??= new KeyTimeline();
      const stream = keyStreamName(keyId);
      const fresh = await this.readStreamOrNone(stream, timeline.revision + 1n);
      if (!timeline.append(fresh)) {
        timeline = new KeyTimeline();
        timeline.append(await this.readStreamOrNone(stream, 0n));
      }
    }
    this.timelines.set(keyId, timeline);
    this.timelineEvents += timeline.length;
    for (const [oldest, old] of this.timelines) {
      if (this.timelineEvents <= TIMELINE_CACHE_EVENTS || oldest === keyId) break;
      this.timelines.delete(oldest);
      this.timelineEvents -= old.length;
    }
    return timeline;
  }

  private async readStreamOrNone(stream: string, fromRevision: bigint): Promise<RecordedEvent[]> {
    try {
      return await this.store.readStream(stream, { fromRevision });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  /** One pass over the log, folding the given keys' streams up to their first event after `at`. */
  private async foldAllAt(keyIds: Set<string>, at: number): Promise<Map<string, KeyAggregate>> {
    const states = new Map<string, KeyAggregate>();
    const stopped = new Set<string>();
    let after: bigint | 'start' = 'start';
    for (;;) {
      const page = await this.store.readAll({ after, maxCount: LOG_PAGE, filter: PROJECTED_STREAMS });
      for (const event of page) {
        const keyId = keyIdOfStream(event.streamName);
        if (keyId === undefined || !keyIds.has(keyId) || stopped.has(keyId)) continue;
        if (eventTimeMs(event) > at) {
          stopped.add(keyId);
          continue;
        }
        states.set(keyId, applyKeyEvent(states.get(keyId) ?? initialKeyState(), event));
      }
      const last = page.at(-1);
      if (last === undefined || page.length < LOG_PAGE) return states;
      after = last.position;
    }
  }
}

function later(a: bigint | 'start', b: bigint | 'start'): bigint | 'start' {
  if (a === 'start') return b;
  if (b === 'start') return a;
  return a > b ? a : b;
}
