import type { FactoryProvider } from '@nestjs/common';
import type { EventStore } from '@keyledger/event-store';
import type { Clock } from '@keyledger/ledger';
import { KeyStateCache } from '@keyledger/key-store';
import {
  LastUseIndex,
  LedgerProjection,
  TimeIndex,
  type LedgerQueryOptions,
  type SharedProjection,
} from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE } from '../infrastructure/tokens.js';

/** A read side of the ledger: built over the store, the server's scope and clock, and its live view. */
type ReadSide<T> = new (store: EventStore, options: LedgerQueryOptions, shared?: SharedProjection) => T;

/** The one way the server builds a read side: over its cache and time index, as exact as the projection's position. */
export function readSideProvider<T>(type: ReadSide<T>): FactoryProvider<T> {
  return {
    provide: type,
    inject: [EVENT_STORE, CONFIG, CLOCK, KeyStateCache, TimeIndex, LastUseIndex, LedgerProjection],
    useFactory: (
      store: EventStore,
      config: KeyledgerConfig,
      clock: Clock,
      cache: KeyStateCache,
      times: TimeIndex,
      lastUses: LastUseIndex,
      projection: LedgerProjection,
    ) =>
      new type(
        store,
        { region: config.region, accountId: config.accountId, clock },
        { cache, times, lastUses, position: () => projection.position },
      ),
  };
}
