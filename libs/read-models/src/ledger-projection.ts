import type { EventStore, Subscription } from '@keyledger/event-store';
import type { LedgerView } from './ledger-view.js';

/**
 * Feeds a LedgerView from the store's subscription to all events, never from
 * the in-process EventBus: what another process (or another server on the same
 * EventStoreDB) appends reaches the view too, in order, and nothing is lost.
 * The view is in memory, so its checkpoint is where this subscription has got
 * to; a restart rebuilds it from the start of the log.
 */
export class LedgerProjection {
  private subscription: Subscription | undefined;
  private lastPosition: bigint | 'start' = 'start';
  private failure: Error | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly view: LedgerView,
  ) {}

  /** Resolves once every event committed before the call has been applied. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.subscription = this.store.subscribeToAll(
        { after: this.lastPosition },
        {
          onEvent: (event) => {
            this.view.applyRecorded(event);
            this.lastPosition = event.position;
          },
          onCaughtUp: () => resolve(),
          onError: (error) => {
            this.failure = error;
            reject(error);
          },
        },
      );
    });
  }

  get position(): bigint | 'start' {
    return this.lastPosition;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
