import { Module } from '@nestjs/common';
import { readSideProvider } from './read-side-provider.js';
import type { RootKeyProvider } from '@keyledger/crypto';
import type { EventStore } from '@keyledger/event-store';
import type { Clock } from '@keyledger/ledger';
import { CheckpointKeys, LedgerCheckpoints } from '@keyledger/integrity';
import { LedgerQueries } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE, ROOT_KEY } from '../infrastructure/tokens.js';
import { CHECKPOINT_INTERVAL, CheckpointWriter } from './checkpoint-writer.js';
import { CheckpointOnAppend } from './checkpoint-on-append.reaction.js';
import { LedgerApiController } from './ledger-api.controller.js';
import { CheckpointStatus } from './checkpoint-status.js';
import { AccessAsOf } from '../authorization/access-as-of.js';
import { CHECKPOINT_KEYS } from './ledger-api.tokens.js';

/** The ledger API (/v1), and the checkpoint writer with the reaction that arms it. Relies on InfrastructureModule. */
@Module({
  controllers: [LedgerApiController],
  providers: [
    readSideProvider(LedgerQueries),
    {
      provide: CHECKPOINT_KEYS,
      inject: [ROOT_KEY],
      useFactory: (rootKey: RootKeyProvider) => CheckpointKeys.fromRootKey(rootKey),
    },
    {
      provide: LedgerCheckpoints,
      inject: [EVENT_STORE, CHECKPOINT_KEYS, CLOCK],
      useFactory: (store: EventStore, keys: CheckpointKeys, clock: Clock) => new LedgerCheckpoints(store, keys, clock),
    },
    CheckpointStatus,
    {
      provide: CHECKPOINT_INTERVAL,
      inject: [CONFIG],
      useFactory: (config: KeyledgerConfig) => config.checkpointIntervalMs,
    },
    CheckpointWriter,
    AccessAsOf,
    CheckpointOnAppend,
  ],
  exports: [LedgerQueries, LedgerCheckpoints, CheckpointWriter, CheckpointStatus, CHECKPOINT_KEYS],
})
/**
 * The queries answer from the server's own KeyStateCache and TimeIndex (which
 * keeps when each stream changed) and replay only keys changed after the time asked about:
 * there is no second read model to build at start-up or on a first query.
 */
export class LedgerApiModule {}
