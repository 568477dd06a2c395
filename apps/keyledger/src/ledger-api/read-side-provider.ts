import type { FactoryProvider } from '@nestjs/common';
import type { EventStore } from '@keyledger/event-store';
import type { Clock } from '@keyledger/ledger';
import { LedgerProjection, LedgerView, type LedgerQueryOptions, type SharedLedgerView } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE } from '../infrastructure/tokens.js';

/** A read side of the ledger: built over the store, the server's scope and clock, and its live view. */
type ReadSide<T> = new (store: EventStore, options: LedgerQueryOptions, shared?: SharedLedgerView) => T;

/** The one way the server builds a read side: over its own LedgerView, as exact as the projection's position. */
export function readSideProvider<T>(type: ReadSide<T>): FactoryProvider<T> {
  return {
    provide: type,
    inject: [EVENT_STORE, CONFIG, CLOCK, LedgerView, LedgerProjection],
    useFactory: (
      store: EventStore,
      config: KeyledgerConfig,
      clock: Clock,
      view: LedgerView,
      projection: LedgerProjection,
    ) =>
      new type(
        store,
        { region: config.region, accountId: config.accountId, clock },
        { view, position: () => projection.position },
      ),
  };
}
