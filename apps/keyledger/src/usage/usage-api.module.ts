import { Module } from '@nestjs/common';
import type { EventStore } from '@keyledger/event-store';
import type { Clock } from '@keyledger/ledger';
import { LedgerProjection, LedgerView, UsageQueries } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE } from '../infrastructure/tokens.js';
import { BackingKeysHandler } from './queries/backing-keys.query.js';
import { DeletionImpactHandler } from './queries/deletion-impact.query.js';
import { KeyUsageHandler } from './queries/key-usage.query.js';
import { UnusedKeysHandler } from './queries/unused-keys.query.js';
import { UsageApiController } from './usage-api.controller.js';

/** The usage views under /v1 and their questions on the query bus. Relies on the global InfrastructureModule. */
@Module({
  controllers: [UsageApiController],
  providers: [
    {
      provide: UsageQueries,
      inject: [EVENT_STORE, CONFIG, CLOCK, LedgerView, LedgerProjection],
      useFactory: (
        store: EventStore,
        config: KeyledgerConfig,
        clock: Clock,
        view: LedgerView,
        projection: LedgerProjection,
      ) =>
        new UsageQueries(
          store,
          { region: config.region, accountId: config.accountId, clock },
          { view, position: () => projection.position },
        ),
    },
    KeyUsageHandler,
    BackingKeysHandler,
    UnusedKeysHandler,
    DeletionImpactHandler,
  ],
})
export class UsageApiModule {}
