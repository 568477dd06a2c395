import { Inject } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { keyIdOfStream, nextDueAt, type Clock } from '@keyledger/ledger';
import { KeyStateCache } from '@keyledger/key-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG } from '../infrastructure/tokens.js';
import { LedgerEventRecorded } from '../reactions/ledger-event-recorded.js';
import { Scheduler } from './scheduler.service.js';

/**
 * After each event of a key, when the key's next due work (nextDueAt) comes
 * sooner than the periodic sweep would reach it, the scheduler is woken for it:
 * material expiring in a minute expires in a minute, not at the next hourly pass.
 * Events from another server on the same store arrive here too.
 */
@EventsHandler(LedgerEventRecorded)
export class SchedulerWakeup implements IEventHandler<LedgerEventRecorded> {
  constructor(
    private readonly cache: KeyStateCache,
    private readonly scheduler: Scheduler,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  handle({ event }: LedgerEventRecorded): void {
    const keyId = keyIdOfStream(event.streamName);
    const key = keyId === undefined ? undefined : this.cache.key(keyId)?.state;
    const at = key ? nextDueAt(key) : null;
    if (at !== null && at < this.clock.now().getTime() + this.config.schedulerIntervalMs) this.scheduler.wakeAt(at);
  }
}
