import { START, excludeSystemEvents, streamNameFilter } from '@eventstore/db-client';
import type { AllStreamSubscription, Position, ReadPosition } from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../event-store.port.js';
import type { Subscription, SubscriptionHandler } from '../event-store.port.js';
import { isInsideHandlerOf, runInHandler } from '../handler-context.js';
import type { StreamFilter } from '../stream-filter.js';
import { isRetryable, toPortError } from './esdb-errors.js';
import { comparePositions, toPositioned } from './esdb-positions.js';
import type { PositionedEvent } from './esdb-positions.js';
import type { EsdbEventStore } from './esdb-event-store.js';

const CATCH_UP_PAGE_SIZE = 512;

export interface RetryPolicy {
  /** Before the first catch-up, give up (onError with the cause) after this many failed attempts… */
  startupRetries: number;
  /** …or once this long has passed since the subscription started, whichever comes first. */
  startupDeadlineMs: number;
  retryMinDelayMs: number;
  retryMaxDelayMs: number;
  /** At most one retry line per this many ms; the lines in between are counted, not lost. */
  logEveryMs: number;
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
 *
 * Until the first catch-up, a failure that can pass (unreachable, not the
 * leader) is retried a bounded number of times within a bounded time, then
 * ends the subscription through onError with the cause: a server waiting on
 * its first catch-up must not wait forever on a node that is not there. After
 * it, such failures are retried for as long as it takes (the node restarting).
 * Every other failure is fatal at once. Each retry is logged, rate-limited.
 */
export class EsdbSubscription implements Subscription {
  private stopped = false;
  private live: AllStreamSubscription | undefined;
  private cancelSleep: (() => void) | undefined;
  private readonly finished: Promise<void>;
  private readonly startedAt = Date.now();
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private unlogged = 0;

  constructor(
    private readonly store: EsdbEventStore,
    private cursor: Position | undefined,
    private readonly filter: StreamFilter | undefined,
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

  private remainingStartupMs(): number {
    return Math.max(1, this.store.policy.startupDeadlineMs - (Date.now() - this.startedAt));
  }

  private async run(): Promise<void> {
    await null;
    const policy = this.store.policy;
    let caughtUp = false;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!caughtUp) {
          const { events, atEnd, passed } = await this.store.readAllPositioned(
            this.cursor,
            CATCH_UP_PAGE_SIZE,
            this.remainingStartupMs(),
            this.filter,
          );
          for (const positioned of events) {
            if (this.stopped) return;
            await this.deliver(positioned);
          }
          failures = 0;
          if (this.filter && passed && (!this.cursor || comparePositions(passed, this.cursor) > 0)) {
            this.cursor = passed;
            this.handler.onCheckpoint?.(passed.commit);
          }
          if (atEnd) {
            caughtUp = true;
            this.handler.onCaughtUp?.();
          }
          continue;
        }
        const live = this.store.client.subscribeToAll({
          fromPosition: (this.cursor ?? START) as ReadPosition,
          filter: liveFilter(this.filter),
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
        throw new EventStoreUnavailableError('EventStoreDB subscription ended unexpectedly');
      } catch (error) {
        await stopLive(this.live);
        this.live = undefined;
        if (this.stopped) break;
        if (error instanceof HandlerFailure) {
          this.fail(error.error instanceof Error ? error.error : new Error(String(error.error)));
          break;
        }
        const cause = toPortError(error, this.cursor ? { position: this.cursor.commit } : {});
        failures++;
        const elapsed = Date.now() - this.startedAt;
        if (!isRetryable(cause)) {
          this.fail(cause);
          break;
        }
        if (!caughtUp && (failures > policy.startupRetries || elapsed >= policy.startupDeadlineMs)) {
          this.fail(
            new EventStoreUnavailableError(
              `could not catch up with EventStoreDB: ${failures} attempt(s) in ${elapsed} ms failed, ` +
                `the last with: ${cause.message}`,
              { cause },
            ),
          );
          break;
        }
        const delay = Math.min(policy.retryMinDelayMs * 2 ** (failures - 1), policy.retryMaxDelayMs);
        this.logRetry(`${cause.message}; attempt ${failures} failed, retrying in ${delay} ms`);
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

  private logRetry(message: string): void {
    const now = Date.now();
    if (now - this.lastLogAt < this.store.policy.logEveryMs) {
      this.unlogged++;
      return;
    }
    const skipped = this.unlogged > 0 ? ` (${this.unlogged} more retry line(s) since the last)` : '';
    this.unlogged = 0;
    this.lastLogAt = now;
    this.store.log(`event store subscription: ${message}${skipped}`);
  }

  private fail(error: Error): void {
    this.stopped = true;
    if (this.handler.onError) this.handler.onError(error);
    else this.store.log(`Event store subscription ended: ${error.message}`);
  }

  async unsubscribe(): Promise<void> {
    // Asked before the first await: the handler marker covers only the handler's synchronous part.
    const fromOwnHandler = isInsideHandlerOf(this);
    this.stopped = true;
    this.cancelSleep?.();
    const live = this.live;
    this.live = undefined;
    await stopLive(live);
    if (fromOwnHandler) return;
    await this.finished;
  }
}

/**
 * Live, the server leaves the filter's categories out: a stream-name regex that also keeps the store's own
 * '$' streams out, which an event-type filter (excludeSystemEvents) does without a filter. Positions passed
 * while live are not reported (onCheckpoint): the client calls its checkpoint callback ahead of the events
 * still buffered before it.
 */
function liveFilter(filter: StreamFilter | undefined) {
  if (!filter || filter.excludeCategories.length === 0) return excludeSystemEvents();
  const categories = filter.excludeCategories.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return streamNameFilter({ regex: `^(?!\\$|(?:${categories})-)` });
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
