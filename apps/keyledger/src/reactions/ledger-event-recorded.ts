import type { RecordedEvent } from '@keyledger/event-store';

/**
 * An event the store committed, as the store subscription delivered it (from
 * this process or any other writing to the same store). Published on the
 * event bus only after the ledger view holds it; the bus is a feed for
 * reactions, never a source of truth.
 */
export class LedgerEventRecorded {
  constructor(readonly event: RecordedEvent) {}
}
