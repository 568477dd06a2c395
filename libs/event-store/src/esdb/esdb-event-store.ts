import { randomUUID } from 'node:crypto';
import {
  ANY as ESDB_ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM as ESDB_NO_STREAM,
  START,
  STREAM_EXISTS as ESDB_STREAM_EXISTS,
  NotLeaderError as EsdbNotLeaderError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import type { AppendExpectedRevision, Credentials, Position, ReadPosition } from '@eventstore/db-client';
import { prepareAppend, validateExpectedRevision, validateStreamName } from '../append-validation.js';
import {
  ANY,
  EventStoreError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../event-store.port.js';
import type {
  AppendResult,
  CurrentRevision,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllJsonOptions,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  RecordedEventJson,
  StoreIdentity,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port.js';
import { passesFilter, validateStreamFilter, type StreamFilter } from '../stream-filter.js';
import { appendCredentialsOf, normaliseConnectionString } from './esdb-connection-string.js';
import { toPortError } from './esdb-errors.js';
import { withDeadline } from './esdb-read-deadline.js';
import type { Cancellable } from './esdb-read-deadline.js';
import { comparePositions, positionAfter, toPositioned } from './esdb-positions.js';
import type { PositionedEvent } from './esdb-positions.js';
import { EsdbSubscription } from './esdb-subscription.js';
import type { RetryPolicy } from './esdb-subscription.js';

/** readAll's page size when the caller gives no maxCount (same as the embedded store). */
export const DEFAULT_READ_ALL_MAX_COUNT = 4096;
/** The stream holding this store's identity: '$'-prefixed, so the ledger never sees it (see isSystem). */
export const STORE_IDENTITY_STREAM = '$keyledger-store-identity';

export interface EsdbEventStoreOptions extends Partial<RetryPolicy> {
  /** Where retries and give-ups are reported (rate-limited); default: process warnings. */
  log?(message: string): void;
  /** With a client built elsewhere: the credentials each append passes (see appendCredentialsOf). */
  appendCredentials?: Credentials;
}

const DEFAULT_POLICY: RetryPolicy = {
  startupRetries: 8,
  startupDeadlineMs: 30_000,
  retryMinDelayMs: 100,
  retryMaxDelayMs: 5_000,
  logEveryMs: 5_000,
};

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case NO_STREAM:
      return ESDB_NO_STREAM;
    case STREAM_EXISTS:
      return ESDB_STREAM_EXISTS;
    case ANY:
      return ESDB_ANY;
    default:
      return expected;
  }
}

function toCurrentRevision(actual: unknown): CurrentRevision {
  if (actual === ESDB_NO_STREAM || actual === undefined || actual === null) return NO_STREAM;
  return BigInt(actual as bigint);
}

/**
 * EventStoreDB / KurrentDB adapter. Requires server 22.6+ (event positions on
 * reads). Reading $all needs a user allowed to (by default: an admin), given
 * in the connection string.
 *
 * Constructed one way: `new EsdbEventStore(connectionString | client, options)`.
 */
export class EsdbEventStore implements EventStore {
  readonly client: EventStoreDBClient;
  readonly policy: RetryPolicy;
  readonly log: (message: string) => void;
  private readonly appendCredentials: Credentials | undefined;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private identity: Promise<StoreIdentity> | undefined;
  private closed = false;

  /** A connection string, or a client built elsewhere (custom credentials, or a test double). */
  constructor(connection: string | EventStoreDBClient, options: EsdbEventStoreOptions = {}) {
    if (typeof connection === 'string') {
      this.appendCredentials = options.appendCredentials ?? appendCredentialsOf(connection);
      this.client = EventStoreDBClient.connectionString(normaliseConnectionString(connection));
    } else {
      this.appendCredentials = options.appendCredentials;
      this.client = connection;
    }
    const { log, appendCredentials: _credentials, ...policy } = options;
    this.policy = { ...DEFAULT_POLICY, ...policy };
    this.log = log ?? ((message) => process.emitWarning(message));
  }

  async appendToStream(
    streamName: string,
    events: EventToAppend[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    this.assertOpen();
    const expected = options?.expectedRevision ?? ANY;
    validateExpectedRevision(expected);
    const prepared = prepareAppend(streamName, events);
    const esdbEvents = prepared.map((e) =>
      jsonEvent({ id: e.id, type: e.type, data: e.data, ...(e.metadata ? { metadata: e.metadata } : {}) }),
    );
    if (expected === NO_STREAM) await this.refuseDeletedStream(streamName);
    const append = () =>
      this.client.appendToStream(streamName, esdbEvents, {
        expectedRevision: toEsdbExpected(expected),
        ...(this.appendCredentials ? { credentials: this.appendCredentials } : {}),
      });
    let result;
    try {
      try {
        result = await append();
      } catch (error) {
        // The client has switched to the leader it was told of: a second attempt goes there.
        if (!(error instanceof EsdbNotLeaderError)) throw error;
        result = await append();
      }
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) {
        throw new WrongExpectedVersionError(streamName, expected, toCurrentRevision(error.actualVersion));
      }
      throw toPortError(error, { streamName });
    }
    if (expected === NO_STREAM && result.nextExpectedRevision !== BigInt(prepared.length - 1)) {
      throw new StreamDeletedError(
        streamName,
        `it was deleted in the store while this append ran, which EventStoreDB then wrote at revision ` +
          `${result.nextExpectedRevision} instead of ${prepared.length - 1}`,
      );
    }
    let position = result.position?.commit;
    if (position === undefined) {
      // Older servers omit the position on append; the last event carries it.
      const [last] = await this.readStream(streamName, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
      position = last!.position;
    }
    return { nextExpectedRevision: result.nextExpectedRevision, position };
  }

  /**
   * EventStoreDB accepts NO_STREAM on a soft-deleted stream and continues its
   * old revisions; the port promises revision 0 or a refusal. A soft delete
   * leaves truncateBefore in the stream's metadata.
   */
  private async refuseDeletedStream(streamName: string): Promise<void> {
    let truncateBefore: unknown;
    try {
      truncateBefore = (await this.client.getStreamMetadata(streamName)).metadata?.truncateBefore;
    } catch (error) {
      throw toPortError(error, { streamName });
    }
    if (truncateBefore !== undefined) {
      throw new StreamDeletedError(
        streamName,
        `it was deleted in the store (truncated before revision ${String(truncateBefore)}), ` +
          'so a new event would not get revision 0',
      );
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateStreamName(streamName);
    const direction = options.direction ?? 'forwards';
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    if (options.maxCount === 0) {
      if ((await this.streamRevision(streamName)) === NO_STREAM) throw new StreamNotFoundError(streamName);
      return [];
    }
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamName, {
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromRevision: from === 'start' ? START : from === 'end' ? END : from,
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      })) {
        const positioned = toPositioned(resolved);
        if (positioned) events.push(positioned.event);
      }
    } catch (error) {
      if (error instanceof EsdbStreamNotFoundError) throw new StreamNotFoundError(streamName);
      throw toPortError(error, { streamName });
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateStreamFilter(options.filter);
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_MAX_COUNT;
    const after = positionAfter(options.after ?? 'start');
    const { events } = await this.readAllPositioned(after, maxCount, undefined, options.filter);
    return events.map((p) => p.event);
  }

  async readAllJson(options: ReadAllJsonOptions = {}): Promise<RecordedEventJson[]> {
    const events = await this.readAll({ after: options.after, maxCount: options.maxCount });
    return events.map((e) => ({
      streamName: e.streamName,
      type: e.type,
      revision: e.revision,
      position: e.position,
      dataJson: JSON.stringify(e.data),
      metadataJson: JSON.stringify(e.metadata),
    }));
  }

  /**
   * Up to maxCount non-system events strictly after `after`. EventStoreDB's
   * readAll starts at its position inclusively and system events are filtered
   * here (the 6.x client's readAll sends no server-side filter), so it pages until it has
   * enough or reaches the end. `atEnd` says the end of $all was reached, and then `passed` is the last
   * position read, which a filter's left-out tail may put past the last event returned.
   * Reads have no deadline in the 6.x client (deadline: Infinity): with
   * `deadlineMs`, a page not read by then is cancelled and fails as unavailable.
   */
  async readAllPositioned(
    after: Position | undefined,
    maxCount: number,
    deadlineMs?: number,
    filter?: StreamFilter,
  ): Promise<{ events: PositionedEvent[]; atEnd: boolean; passed?: Position }> {
    const events: PositionedEvent[] = [];
    let cursor = after;
    while (events.length < maxCount) {
      const pageSize = Math.min(Math.max(maxCount - events.length + 1, 64), 4096);
      let seen = 0;
      let lastSeen: Position | undefined;
      const read = this.client.readAll({
        fromPosition: (cursor ?? START) as ReadPosition,
        maxCount: pageSize,
        direction: FORWARDS,
      });
      try {
        await withDeadline(read as Cancellable, deadlineMs, async () => {
          for await (const resolved of read) {
            seen++;
            const at = resolved.event?.position;
            if (!at) continue;
            lastSeen = at;
            if (cursor && comparePositions(at, cursor) <= 0) continue;
            if (!passesFilter(resolved.event!.streamId, filter)) continue;
            const positioned = toPositioned(resolved);
            if (positioned) events.push(positioned);
          }
        });
      } catch (error) {
        throw toPortError(error, cursor ? { position: cursor.commit } : {});
      }
      if (seen < pageSize || !lastSeen) {
        const atEnd = events.length <= maxCount;
        return { events: events.slice(0, maxCount), atEnd, ...(atEnd && { passed: lastSeen ?? cursor }) };
      }
      cursor = lastSeen;
    }
    return { events: events.slice(0, maxCount), atEnd: false };
  }

  async streamRevision(streamName: string): Promise<CurrentRevision> {
    this.assertOpen();
    validateStreamName(streamName);
    try {
      for await (const resolved of this.client.readStream(streamName, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        if (resolved.event) return resolved.event.revision;
      }
    } catch (error) {
      if (error instanceof EsdbStreamNotFoundError) return NO_STREAM;
      throw toPortError(error, { streamName });
    }
    return NO_STREAM;
  }

  /**
   * A random id kept in a '$'-prefixed stream of the database itself, written
   * by the first Keyledger that asks: every node of a cluster, and every
   * Keyledger server on it, sees the same one; a migrated copy has its own.
   */
  storeIdentity(): Promise<StoreIdentity> {
    this.assertOpen();
    this.identity ??= this.loadIdentity().catch((error: unknown) => {
      this.identity = undefined;
      throw error;
    });
    return this.identity;
  }

  private async loadIdentity(): Promise<StoreIdentity> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        for await (const resolved of this.client.readStream(STORE_IDENTITY_STREAM, {
          fromRevision: START,
          maxCount: 1,
        })) {
          const id = (resolved.event?.data as { storeId?: unknown } | undefined)?.storeId;
          if (typeof id === 'string') return { engine: 'eventstoredb', id };
        }
        throw new EventStoreError(`${STORE_IDENTITY_STREAM} holds no store id`);
      } catch (error) {
        if (!(error instanceof EsdbStreamNotFoundError))
          throw toPortError(error, { streamName: STORE_IDENTITY_STREAM });
      }
      try {
        await this.client.appendToStream(
          STORE_IDENTITY_STREAM,
          jsonEvent({ id: randomUUID(), type: 'KeyledgerStoreIdentity', data: { storeId: randomUUID() } }),
          {
            expectedRevision: ESDB_NO_STREAM,
            ...(this.appendCredentials ? { credentials: this.appendCredentials } : {}),
          },
        );
      } catch (error) {
        // Another server wrote it first: read theirs.
        if (!(error instanceof EsdbWrongExpectedVersionError))
          throw toPortError(error, { streamName: STORE_IDENTITY_STREAM });
      }
    }
    throw new EventStoreError(`could not read or write ${STORE_IDENTITY_STREAM}`);
  }

  /** One read of $all (which also proves the user may read it), bounded by deadlineMs. */
  async checkConnection(deadlineMs: number): Promise<void> {
    this.assertOpen();
    await this.readAllPositioned(undefined, 1, deadlineMs);
  }

  subscribeToAll(options: SubscribeToAllOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    validateStreamFilter(options.filter);
    const subscription = new EsdbSubscription(
      this,
      positionAfter(options.after ?? 'start'),
      options.filter,
      handler,
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.unsubscribe()));
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('Event store is closed');
  }
}
