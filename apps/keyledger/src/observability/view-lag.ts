import { Inject } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import type { EventStore } from '@keyledger/event-store';
import type { Clock } from '@keyledger/ledger';
import { LedgerProjection } from '@keyledger/read-models';
import { CLOCK, EVENT_STORE } from '../infrastructure/tokens.js';
import { LedgerEventRecorded } from '../reactions/ledger-event-recorded.js';

/**
 * How far the ledger view trails the store, for the metrics: the events committed that
 * it has not applied yet (where the store's positions count events, the embedded one),
 * and the time since it last applied one. A view whose subscription stalled shows as a
 * growing count while writes go on; with EventStoreDB, whose positions are log offsets,
 * the time is what there is, read beside the append rate.
 */
@EventsHandler(LedgerEventRecorded)
export class ViewLag implements IEventHandler<LedgerEventRecorded> {
  private lastEventAt: number;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: LedgerProjection,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    // Until the first live event: since the view caught up, which is when it last was current.
    this.lastEventAt = clock.now().getTime();
  }

  handle(): void {
    this.lastEventAt = this.clock.now().getTime();
  }

  /** Events committed and not yet applied, or undefined where positions do not count events. */
  async eventsBehind(): Promise<number | undefined> {
    if (!this.store.headPosition) return undefined;
    const head = await this.store.headPosition();
    const at = this.projection.position;
    return Math.max(0, (head === 'start' ? 0 : Number(head)) - (at === 'start' ? 0 : Number(at)));
  }

  secondsSinceLastEvent(): number {
    return Math.max(0, (this.clock.now().getTime() - this.lastEventAt) / 1000);
  }
}
