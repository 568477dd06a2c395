import { Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RootKeyProvider } from '@keyledger/crypto';
import type { EventStore } from '@keyledger/event-store';
import type { Clock } from '@keyledger/ledger';
import { checkpointKeyPurpose, LedgerCheckpoints, LedgerQueries } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE, ROOT_KEY } from '../infrastructure/tokens.js';
import { CHECKPOINT_INTERVAL, CheckpointWriter, checkpointIntervalFrom } from './checkpoint-writer.js';
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
    // The config object is not this module's to extend, so its one setting is read here.
    { provide: CHECKPOINT_INTERVAL, useFactory: () => checkpointIntervalFrom(process.env) },
    CheckpointWriter,
  ],
  exports: [LedgerQueries, LedgerCheckpoints, CheckpointWriter, CHECKPOINT_KEY],
})
export class LedgerApiModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private warming: Promise<void> | undefined;

  constructor(private readonly queries: LedgerQueries) {}

  /** Builds the query index in the background, so the first report does not pay for a pass over the log. */
  onApplicationBootstrap(): void {
    const started = Date.now();
    this.warming = this.queries.warmUp().then(
      () => new Logger('LedgerApi').log(`ledger query index ready in ${Date.now() - started} ms`),
      (error: unknown) => new Logger('LedgerApi').warn(`ledger query index warm-up failed: ${error instanceof Error ? error.name : typeof error}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.warming;
  }
}
