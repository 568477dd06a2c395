/**
 * The event store port. Its semantics are EventStoreDB's, so the embedded
 * SQLite adapter and the EventStoreDB/KurrentDB adapter are interchangeable and
 * held to one contract suite (`contract/event-store.contract.ts`).
 */

import type { StreamFilter } from './stream-filter.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The stream must not exist yet (its first event gets revision 0). */
export const NO_STREAM = 'no_stream' as const;
/** The stream must exist, at any revision. */
export const STREAM_EXISTS = 'stream_exists' as const;
/** No concurrency check. */
export const ANY = 'any' as const;

export type ExpectedRevision = typeof NO_STREAM | typeof STREAM_EXISTS | typeof ANY | bigint;

/** The revision a stream is at: its last event's 0-based revision, or NO_STREAM. */
export type CurrentRevision = typeof NO_STREAM | bigint;

export interface EventToAppend {
  /**
   * A UUID; generated when absent. Kept, so a migration preserves ids; compare
   * ids with sameEventId (EventStoreDB gives them back in lower case). Sending
   * the same ids again at the same expected revision is an idempotent retry:
   * it succeeds with the first append's result and writes nothing.
   */
  id?: string;
  type: string;
  data: JsonObject;
  metadata?: JsonObject;
}

export interface RecordedEvent {
  id: string;
  streamName: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: Date;
  /** 0-based, dense within the stream. */
  revision: bigint;
  /**
   * Position in the global log: strictly increasing in commit order across all
   * streams, and opaque: pass it back as `after` as it is, never computed on
   * (EventStoreDB refuses a read from a position that is not a record
   * boundary). Meaningful only in the store that gave it (see storeIdentity).
   */
  position: bigint;
}

/**
 * A recorded event as readAllJson gives it: its data and metadata still the
 * JSON text that readAll parses (JSON.parse(dataJson) is readAll's `data`).
 */
export interface RecordedEventJson {
  streamName: string;
  type: string;
  revision: bigint;
  position: bigint;
  dataJson: string;
  /** '{}' for an event stored without metadata, as readAll gives `{}`. */
  metadataJson: string;
}

export interface AppendResult {
  /** The revision of the last appended event: pass it as the next expectedRevision. */
  nextExpectedRevision: bigint;
  /** The global position of the last appended event. */
  position: bigint;
}

/**
 * `engine` names the storage engine; `id` is stable for the life of the store
 * (a file copy of an embedded ledger keeps it, and so keeps its positions),
 * and differs between two stores, including a store and its migrated copy.
 */
export interface StoreIdentity {
  engine: 'sqlite' | 'eventstoredb';
  id: string;
}

/** Event ids are UUIDs, compared without regard to case: EventStoreDB gives them back in lower case. */
export function sameEventId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: Direction;
  /** Inclusive. Default: 'start' forwards, 'end' backwards. */
  fromRevision?: bigint | 'start' | 'end';
  maxCount?: number;
}

export interface ReadAllOptions {
  /**
   * Exclusive: events strictly after this position, which must be one this
   * store gave (else InvalidPositionError). Default: from the very first event.
   */
  after?: bigint | 'start';
  maxCount?: number;
  /**
   * Only the events of streams the filter lets through: a page holds up to maxCount of them, fewer when no
   * more follow. The events left out cost the read next to nothing (see StreamFilter).
   */
  filter?: StreamFilter;
}

/** What readAllJson takes: it serves verify, which reads every event, so it takes no filter. */
export type ReadAllJsonOptions = Omit<ReadAllOptions, 'filter'>;

export interface SubscriptionHandler {
  /** Awaited before the next event is delivered: back-pressure is the handler's. */
  onEvent(event: RecordedEvent): void | Promise<void>;
  /** Called once, when every event committed before the subscription started has been delivered. */
  onCaughtUp?(): void;
  /**
   * With a filter: every event up to `position` has been passed, those after the last one delivered being
   * left out by the filter. A position this store gave, to resume from (`after`), so a reader's position can
   * move past a tail of left-out events. Called before onCaughtUp when the history ends in left-out events;
   * while live, when the store reports passing some (SQLite: after each read; EventStoreDB: every so many).
   */
  onCheckpoint?(position: bigint): void;
  /** The subscription ended with an error it could not recover from. */
  onError?(error: Error): void;
}

export interface SubscribeToAllOptions {
  /** Exclusive: deliver events strictly after this position. Default 'start'. */
  after?: bigint | 'start';
  /** History and live events alike: only those of streams the filter lets through (see onCheckpoint). */
  filter?: StreamFilter;
}

export interface Subscription {
  /**
   * Stops delivery; resolves once no handler call is in flight. Called by a handler of this subscription
   * before its first await, it resolves at once; a handler that calls it after an await must not await it
   * (it would wait for itself).
   */
  unsubscribe(): Promise<void>;
}

export interface EventStore {
  appendToStream(
    streamName: string,
    events: EventToAppend[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;

  /** Throws StreamNotFoundError for a stream that has no events. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** Forwards in global order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * readAll's events (same order, same options) with their data and metadata
   * as JSON text, and without id and recordedAt, for a reader of the whole log
   * that hands the text on unparsed (the ledger verifier's hash worker). The
   * embedded store gives the stored text; EventStoreDB's adapter serialises
   * what the client parsed, which JSON.parse turns back into readAll's values.
   */
  readAllJson(options?: ReadAllJsonOptions): Promise<RecordedEventJson[]>;

  /** Catch-up subscription: history, then onCaughtUp, then live events until unsubscribed. */
  subscribeToAll(options: SubscribeToAllOptions, handler: SubscriptionHandler): Subscription;

  /** The revision of the stream's last event, or NO_STREAM. */
  streamRevision(streamName: string): Promise<CurrentRevision>;

  /**
   * Which store this is. Positions mean something only in the store that gave
   * them: whatever keeps a position (a view snapshot, a checkpoint hint) keeps
   * this beside it and treats the position as unknown under another identity.
   */
  storeIdentity(): Promise<StoreIdentity>;

  /**
   * Resolves once the store answered a read, or rejects within deadlineMs with
   * the cause (EventStoreUnavailableError, EventStoreAccessDeniedError, …), so
   * a start-up can report a wrong or unreachable store instead of waiting.
   */
  checkConnection(deadlineMs: number): Promise<void>;

  /**
   * The position of the last committed event ('start' when there is none), for a store
   * whose positions count events (the embedded one: 1, 2, 3…), so that a position's
   * distance to it is a number of events. Absent where positions are log offsets
   * (EventStoreDB), whose differences count bytes, not events.
   */
  headPosition?(): Promise<bigint | 'start'>;

  close(): Promise<void>;
}

export * from './event-store.errors.js';
export * from './stream-filter.js';
