import {
  ANY as ESDB_ANY,
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM as ESDB_NO_STREAM,
  START,
  STREAM_EXISTS as ESDB_STREAM_EXISTS,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  excludeSystemEvents,
  isCommandError,
  jsonEvent,
} from '@eventstore/db-client';
import type {
  AllStreamResolvedEvent,
  AppendExpectedRevision,
  Position,
  ReadPosition,
  ResolvedEvent,
  AllStreamSubscription,
} from '@eventstore/db-client';
import { prepareAppend, validateExpectedRevision, validateStreamName } from '../append-validation.js';
import {
  ANY,
  EventStoreError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../event-store.port.js';
import type {
  AppendResult,
  CurrentRevision,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  JsonObject,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port.js';
import { isInsideHandlerOf, runInHandler } from '../handler-context.js';

/** readAll's page size when the caller gives no maxCount (same as the embedded store). */
export const DEFAULT_READ_ALL_MAX_COUNT = 4096;
const CATCH_UP_PAGE_SIZE = 512;
const RESUBSCRIBE_MIN_DELAY_MS = 100;
const RESUBSCRIBE_MAX_DELAY_MS = 5_000;

/** KurrentDB is EventStoreDB renamed; the 6.x client only parses the esdb schemes. */
export function normaliseConnectionString(url: string): string {
  return url.replace(/^kurrentdb(\+discover)?:\/\//i, (_m, discover: string | undefined) =>
    discover ? 'esdb+discover://' : 'esdb://',
  );
}

/** An event plus its full $all position, which paging and resubscribing need exactly. */
interface PositionedEvent {
  event: RecordedEvent;
  at: Position;
}

function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/**
 * The port's positions are bigints: EventStoreDB's commit position. Reading
 * "after" such a position rebuilds {commit, prepare} with prepare = commit,
 * which is exact for events written through gRPC (EventStoreDB 20+), whose
 * commit and prepare positions coincide.
 */
function positionAfter(after: bigint | 'start'): Position | undefined {
  return after === 'start' ? undefined : { commit: after, prepare: after };
}

const textDecoder = new TextDecoder();

function toJsonObject(value: unknown): JsonObject {
  if (value === undefined || value === null) return {};
  if (value instanceof Uint8Array) {
    if (value.length === 0) return {};
    const text = textDecoder.decode(value);
    try {
      return toJsonObject(JSON.parse(text));
    } catch {
      // Not written by this adapter (binary event): keep the bytes rather than drop the event.
      return { $binary: Buffer.from(value).toString('base64') };
    }
  }
  if (typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
  return { value: value as JsonObject[string] };
}

function isSystem(streamId: string, type: string): boolean {
  return type.startsWith('$') || streamId.startsWith('$');
}

/** Maps a resolved event, or returns undefined for system events and unresolved links. */
function toPositioned(resolved: ResolvedEvent | AllStreamResolvedEvent): PositionedEvent | undefined {
  const recorded = resolved.event;
  if (!recorded || isSystem(recorded.streamId, recorded.type)) return undefined;
  const at =
    recorded.position ??
    (resolved.commitPosition !== undefined
      ? { commit: resolved.commitPosition, prepare: resolved.commitPosition }
      : undefined);
  if (!at) {
    throw new EventStoreError('EventStoreDB did not return event positions: version 22.6 or later is required');
  }
  return {
    at,
    event: {
      id: recorded.id,
      streamName: recorded.streamId,
      type: recorded.type,
      data: toJsonObject(recorded.data),
      metadata: toJsonObject(recorded.metadata),
      recordedAt: recorded.created,
      revision: recorded.revision,
      position: at.commit,
    },
  };
}

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

function isTransient(error: unknown): boolean {
  if (!(error instanceof Error) || !isCommandError(error)) return true;
  return ![ErrorType.ACCESS_DENIED, ErrorType.INVALID_ARGUMENT, ErrorType.UNSUPPORTED, ErrorType.NOT_FOUND].includes(
    error.type,
  );
}

/**
 * EventStoreDB / KurrentDB adapter. Requires server 22.6+ (event positions on
 * reads). Reading $all needs a user allowed to (by default: an admin), given
 * in the connection string.
 *
 * Duplicate event ids are not rejected by this adapter: EventStoreDB treats a
 * repeated append of the same ids as an idempotent retry when it can tell.
 */
export class EsdbEventStore implements EventStore {
  readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  static connect(connectionString: string): EsdbEventStore {
    return new EsdbEventStore(connectionString);
  }

  /** A connection string, or a client built elsewhere (custom credentials, or a test double). */
  constructor(connection: string | EventStoreDBClient) {
    this.client =
      typeof connection === 'string'
        ? EventStoreDBClient.connectionString(normaliseConnectionString(connection))
        : connection;
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
    let result;
    try {
      result = await this.client.appendToStream(streamName, esdbEvents, {
        expectedRevision: toEsdbExpected(expected),
      });
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) {
        throw new WrongExpectedVersionError(streamName, expected, toCurrentRevision(error.actualVersion));
      }
      throw error;
    }
    let position = result.position?.commit;
    if (position === undefined) {
      // Older servers omit the position on append; the last event carries it.
      const [last] = await this.readStream(streamName, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
      position = last.position;
    }
    return { nextExpectedRevision: result.nextExpectedRevision, position };
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
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_MAX_COUNT;
    const { events } = await this.readAllPositioned(positionAfter(options.after ?? 'start'), maxCount);
    return events.map((p) => p.event);
  }

  /**
   * Up to maxCount non-system events strictly after `after`. EventStoreDB's
   * readAll starts at its position inclusively and system events are filtered
   * here (readAll takes no server-side filter), so it pages until it has
   * enough or reaches the end. `atEnd` says the end of $all was reached.
   */
  async readAllPositioned(
    after: Position | undefined,
    maxCount: number,
  ): Promise<{ events: PositionedEvent[]; atEnd: boolean }> {
    const events: PositionedEvent[] = [];
    let cursor = after;
    while (events.length < maxCount) {
      const pageSize = Math.min(Math.max(maxCount - events.length + 1, 64), 4096);
      let seen = 0;
      let lastSeen: Position | undefined;
      for await (const resolved of this.client.readAll({
        fromPosition: (cursor ?? START) as ReadPosition,
        maxCount: pageSize,
        direction: FORWARDS,
      })) {
        seen++;
        const at = resolved.event?.position;
        if (!at) continue;
        lastSeen = at;
        if (cursor && comparePositions(at, cursor) <= 0) continue;
        const positioned = toPositioned(resolved);
        if (positioned) events.push(positioned);
      }
      if (seen < pageSize || !lastSeen) return { events: events.slice(0, maxCount), atEnd: events.length <= maxCount };
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
      throw error;
    }
    return NO_STREAM;
  }

  subscribeToAll(options: SubscribeToAllOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    const subscription = new EsdbSubscription(this, positionAfter(options.after ?? 'start'), handler, (s) =>
      this.subscriptions.delete(s),
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

class HandlerFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Catch-up first reads history with paged readAll rather than relying on the
 * server's caught-up message (sent only by servers 23.10+), then switches to a
 * live subscribeToAll from the last delivered position. Every delivery moves
 * `cursor`, so a dropped subscription resumes exactly after the last event the
 * handler saw; events at or before it are skipped, so nothing is delivered twice.
 */
class EsdbSubscription implements Subscription {
  private stopped = false;
  private live: AllStreamSubscription | undefined;
  private cancelSleep: (() => void) | undefined;
  private readonly finished: Promise<void>;

  constructor(
    private readonly store: EsdbEventStore,
    private cursor: Position | undefined,
    private readonly handler: SubscriptionHandler,
    private readonly onFinished: (s: EsdbSubscription) => void,
  ) {
    this.finished = this.run().finally(() => this.onFinished(this));
  }

  private async deliver(positioned: PositionedEvent): Promise<void> {
    try {
      const result = runInHandler(this, () => this.handler.onEvent(positioned.event));
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') await result;
    } catch (error) {
      throw new HandlerFailure(error);
    }
    this.cursor = positioned.at;
  }

  private async run(): Promise<void> {
    await null;
    let caughtUp = false;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!caughtUp) {
          const { events, atEnd } = await this.store.readAllPositioned(this.cursor, CATCH_UP_PAGE_SIZE);
          for (const positioned of events) {
            if (this.stopped) return;
            await this.deliver(positioned);
          }
          failures = 0;
          if (atEnd) {
            caughtUp = true;
            this.handler.onCaughtUp?.();
          }
          continue;
        }
        const live = this.store.client.subscribeToAll({
          fromPosition: (this.cursor ?? START) as ReadPosition,
          filter: excludeSystemEvents(),
        });
        this.live = live;
        if (this.stopped) break;
        for await (const resolved of live) {
          if (this.stopped) break;
          const positioned = toPositioned(resolved);
          if (!positioned) continue;
          if (this.cursor && comparePositions(positioned.at, this.cursor) <= 0) continue;
          await this.deliver(positioned);
          failures = 0;
        }
        if (this.stopped) break;
        throw new EventStoreError('EventStoreDB subscription ended unexpectedly');
      } catch (error) {
        await stopLive(this.live);
        this.live = undefined;
        if (this.stopped) break;
        if (error instanceof HandlerFailure || !isTransient(error)) {
          this.stopped = true;
          const cause = error instanceof HandlerFailure ? error.error : error;
          const err = cause instanceof Error ? cause : new Error(String(cause));
          if (this.handler.onError) this.handler.onError(err);
          else process.emitWarning(`Event store subscription ended: ${err.message}`);
          break;
        }
        const delay = Math.min(RESUBSCRIBE_MIN_DELAY_MS * 2 ** failures, RESUBSCRIBE_MAX_DELAY_MS);
        failures++;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.cancelSleep = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.cancelSleep = undefined;
      }
    }
    await stopLive(this.live);
  }

  async unsubscribe(): Promise<void> {
    this.stopped = true;
    this.cancelSleep?.();
    const live = this.live;
    this.live = undefined;
    await stopLive(live);
    if (isInsideHandlerOf(this)) return;
    await this.finished;
  }
}

/**
 * Cancels the gRPC call, then destroys the stream: the client swallows its own
 * cancellation error, and destroying guarantees a pending `for await` ends
 * rather than waiting for an 'end' that might not come.
 */
async function stopLive(live: AllStreamSubscription | undefined): Promise<void> {
  if (!live) return;
  await live.unsubscribe().catch(() => undefined);
  live.destroy();
}
