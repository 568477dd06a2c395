import type { Subscription, SubscriptionHandler } from '../event-store.port.js';
import { isInsideHandlerOf, runInHandler } from '../handler-context.js';
import type { StreamFilter } from '../stream-filter.js';
import type { LogPage } from './sqlite-log-reads.js';

/** Page size of a subscription's reads: large enough to amortise the query, small enough to bound memory. */
const SUBSCRIPTION_PAGE_SIZE = 1024;

/** What a subscription needs of the embedded store. */
export interface CommittedLog {
  /**
   * Synchronous, so a subscription can read and register for the next commit with nothing in between. With a
   * filter, a page that is not full also says how far it looked (`passed`).
   */
  readAllSync(after: bigint | 'start', maxCount: number, filter?: StreamFilter): LogPage;
  /** Registers a one-shot wake-up for the next commit; returns its canceller. */
  onNextCommit(wake: () => void): () => void;
}

/**
 * Reads the table from its own position and sleeps until the next commit when
 * it has read everything: the wake-up carries no data, so none can be lost or
 * delivered twice.
 */
export class SqliteSubscription implements Subscription {
  private stopped = false;
  private cancelWait: (() => void) | null = null;
  private wake: (() => void) | null = null;
  private readonly finished: Promise<void>;

  constructor(
    private readonly store: CommittedLog,
    private cursor: bigint | 'start',
    private readonly filter: StreamFilter | undefined,
    private readonly handler: SubscriptionHandler,
    private readonly onFinished: (s: SqliteSubscription) => void,
  ) {
    this.finished = this.run().finally(() => this.onFinished(this));
  }

  private async run(): Promise<void> {
    // Start on a later tick: no handler call before subscribeToAll has returned.
    await null;
    let caughtUp = false;
    try {
      while (!this.stopped) {
        const { events: page, passed } = this.store.readAllSync(this.cursor, SUBSCRIPTION_PAGE_SIZE, this.filter);
        if (page.length === 0) {
          if (passed !== undefined) this.pass(passed);
          if (!caughtUp) {
            caughtUp = true;
            this.handler.onCaughtUp?.();
            // Read again: onCaughtUp may have caused appends.
            continue;
          }
          // Registered synchronously after the empty read, so no commit can slip in between.
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            this.cancelWait = this.store.onNextCommit(resolve);
          });
          this.wake = this.cancelWait = null;
          continue;
        }
        for (const event of page) {
          if (this.stopped) return;
          const result = runInHandler(this, () => this.handler.onEvent(event));
          if (result !== undefined && typeof (result as Promise<void>).then === 'function') await result;
          this.cursor = event.position;
        }
        if (passed !== undefined && !this.stopped) this.pass(passed);
        // A full page means more to read: let the loop's I/O in (a health check on a server
        // catching up, a new connection) before the next one, or a long replay holds it all.
        if (page.length === SUBSCRIPTION_PAGE_SIZE) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.stopped = true;
      const err = error instanceof Error ? error : new Error(String(error));
      if (this.handler.onError) this.handler.onError(err);
      else process.emitWarning(`Event store subscription ended: ${err.message}`);
    }
  }

  /** Moves past events the filter left out, up to `passed`, and says so. */
  private pass(passed: bigint): void {
    if (this.cursor !== 'start' && passed <= this.cursor) return;
    this.cursor = passed;
    this.handler.onCheckpoint?.(passed);
  }

  unsubscribe(): Promise<void> {
    this.stopped = true;
    this.cancelWait?.();
    this.wake?.();
    // A handler unsubscribing its own subscription must not wait for itself.
    if (isInsideHandlerOf(this)) return Promise.resolve();
    return this.finished;
  }
}
