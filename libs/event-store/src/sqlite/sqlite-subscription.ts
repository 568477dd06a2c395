import type { RecordedEvent, Subscription, SubscriptionHandler } from '../event-store.port.js';
import { isInsideHandlerOf, runInHandler } from '../handler-context.js';

/** Page size of a subscription's reads: large enough to amortise the query, small enough to bound memory. */
const SUBSCRIPTION_PAGE_SIZE = 1024;

/** What a subscription needs of the embedded store. */
export interface CommittedLog {
  /** Synchronous, so a subscription can read and register for the next commit with nothing in between. */
  readAllSync(after: bigint | 'start', maxCount: number): RecordedEvent[];
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
        const page = this.store.readAllSync(this.cursor, SUBSCRIPTION_PAGE_SIZE);
        if (page.length === 0) {
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

  unsubscribe(): Promise<void> {
    this.stopped = true;
    this.cancelWait?.();
    this.wake?.();
    // A handler unsubscribing its own subscription must not wait for itself.
    if (isInsideHandlerOf(this)) return Promise.resolve();
    return this.finished;
  }
}
