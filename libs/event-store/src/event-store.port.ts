/**
 * The event store port. Its semantics are EventStoreDB's, so the embedded
 * SQLite adapter and the EventStoreDB/KurrentDB adapter are interchangeable and
 * held to one contract suite (`contract/event-store.contract.ts`).
 */

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
  /** A UUID; generated when absent. Kept verbatim, so a migration preserves ids. */
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
   * streams. Dense (1, 2, 3, …) in the embedded store; EventStoreDB's commit
   * position in the EventStoreDB adapter, so not dense there.
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

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: Direction;
  /** Inclusive. Default: 'start' forwards, 'end' backwards. */
  fromRevision?: bigint | 'start' | 'end';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default: from the very first event. */
  after?: bigint | 'start';
  maxCount?: number;
}

export interface SubscriptionHandler {
  /** Awaited before the next event is delivered: back-pressure is the handler's. */
  onEvent(event: RecordedEvent): void | Promise<void>;
  /** Called once, when every event committed before the subscription started has been delivered. */
  onCaughtUp?(): void;
  /** The subscription ended with an error it could not recover from. */
  onError?(error: Error): void;
}

export interface SubscribeToAllOptions {
  /** Exclusive: deliver events strictly after this position. Default 'start'. */
  after?: bigint | 'start';
}

export interface Subscription {
  /** Stops delivery; resolves once no handler call is in flight. */
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
   * Optional: readAll's events (same order, same options) with their data and
   * metadata left as JSON text, and without id and recordedAt, for a reader of
   * the whole log that hands the text on unparsed (the ledger verifier's hash
   * worker). A store that only has parsed values leaves it out.
   */
  readAllJson?(options?: ReadAllOptions): Promise<RecordedEventJson[]>;

  /** Catch-up subscription: history, then onCaughtUp, then live events until unsubscribed. */
  subscribeToAll(options: SubscribeToAllOptions, handler: SubscriptionHandler): Subscription;

  /** The revision of the stream's last event, or NO_STREAM. */
  streamRevision(streamName: string): Promise<CurrentRevision>;

  close(): Promise<void>;
}

export class EventStoreError extends Error {
  override name = 'EventStoreError';
}

export class WrongExpectedVersionError extends EventStoreError {
  override name = 'WrongExpectedVersionError';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: CurrentRevision,
  ) {
    super(`Append to stream '${streamName}' failed: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

export class StreamNotFoundError extends EventStoreError {
  override name = 'StreamNotFoundError';
  constructor(readonly streamName: string) {
    super(`Stream '${streamName}' not found`);
  }
}

/**
 * A stored event that cannot be read back (its JSON is damaged): the ledger is
 * corrupt at that place. Not retryable; the message names the store and the position.
 */
export class DamagedEventError extends EventStoreError {
  override name = 'DamagedEventError';
  constructor(
    readonly where: string,
    readonly position: bigint,
    readonly streamName: string,
    readonly revision: bigint,
  ) {
    super(
      `${where}: the event at position ${position} (stream ${streamName}, revision ${revision}) is damaged and cannot be read; run keyledger verify and restore the ledger from a backup`,
    );
  }
}

/** The caller's mistake (empty stream name, unserialisable data, …): nothing was written. */
export class InvalidAppendError extends EventStoreError {
  override name = 'InvalidAppendError';
}
