import { Module } from '@nestjs/common';
import type { RootKeyProvider } from '@keyledger/crypto';
import type { EventStore } from '@keyledger/event-store';
import type { Clock } from '@keyledger/ledger';
import { checkpointKeyPurpose, LedgerCheckpoints, LedgerQueries } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE, ROOT_KEY } from '../infrastructure/tokens.js';
import { CHECKPOINT_INTERVAL, CheckpointWriter } from './checkpoint-writer.js';
import { LedgerApiController } from './ledger-api.controller.js';
import { CHECKPOINT_KEY } from './ledger-api.tokens.js';

/** The ledger API (/v1) and the periodic checkpoint writer. Relies on the global InfrastructureModule. */
@Module({
  controllers: [LedgerApiController],
  providers: [
    {
      provide: LedgerQueries,
      inject: [EVENT_STORE, CONFIG, CLOCK],
      useFactory: (store: EventStore, config: KeyledgerConfig, clock: Clock) =>
        new LedgerQueries(store, { region: config.region, accountId: config.accountId, clock }),
    },
    { provide: CHECKPOINT_KEY, inject: [ROOT_KEY], useFactory: (rootKey: RootKeyProvider) => rootKey.deriveKey(checkpointKeyPurpose) },
    {
      provide: LedgerCheckpoints,
      inject: [EVENT_STORE, CHECKPOINT_KEY, CLOCK],
      useFactory: (store: EventStore, key: Buffer, clock: Clock) => new LedgerCheckpoints(store, key, clock),
    },
    { provide: CHECKPOINT_INTERVAL, inject: [CONFIG], useFactory: (config: KeyledgerConfig) => config.checkpointIntervalMs },
    CheckpointWriter,
  ],
  exports: [LedgerQueries, LedgerCheckpoints, CheckpointWriter, CHECKPOINT_KEY],
})
/**
 * The query index is built on the first ledger query, not at start-up: it is a
 * second pass over the whole log and a second copy of every key's state, which
 * the KMS API never needs, so a server that only serves keys does not pay for it.
 */
export class LedgerApiModule {}
