import {
  Global,
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEventStore, type EventStore } from '@keyledger/event-store';
import { importTokenKeyPurpose, resolveRootKeyProvider, ShredVault, type RootKeyProvider } from '@keyledger/crypto';
import { loadPrincipals } from '@keyledger/kms-api';
import { systemClock, type Clock } from '@keyledger/ledger';
import { LedgerProjection, LedgerView } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE, IMPORT_TOKEN_KEY, PRINCIPALS, ROOT_KEY, SHRED_VAULT } from './tokens.js';

export const LEDGER_VIEW_SNAPSHOT_FILE = 'ledger-view.snapshot';
/** Often enough that a crash costs a short replay, rarely enough that writing the snapshot stays out of the way. */
const SNAPSHOT_EVERY_EVENTS = 100_000;

export interface InfrastructureOptions {
  config: KeyledgerConfig;
  clock?: Clock;
}

/**
 * The edges the domain is wired to: the event store, the root key, the shred
 * vault, the principals, the clock, and the in-memory ledger view kept current
 * by the store subscription. The view is caught up before the server listens.
 */
@Global()
@Module({})
export class InfrastructureModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Keyledger');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SHRED_VAULT) private readonly vault: ShredVault,
    private readonly projection: LedgerProjection,
  ) {}

  static forRoot({ config, clock = systemClock }: InfrastructureOptions): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        {
          provide: EVENT_STORE,
          useFactory: () => {
            mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
            const logger = new Logger('EventStore');
            return createEventStore({
              dataDir: config.dataDir,
              eventStoreUrl: config.eventStoreUrl,
              log: (message) => logger.warn(message),
            });
          },
        },
        {
          provide: ROOT_KEY,
          useFactory: () => {
            mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
            return resolveRootKeyProvider({ dataDir: config.dataDir, rootKeyBase64: config.rootKey });
          },
        },
        {
          provide: IMPORT_TOKEN_KEY,
          inject: [ROOT_KEY],
          useFactory: (rootKey: RootKeyProvider) => rootKey.deriveKey(importTokenKeyPurpose),
        },
        {
          provide: SHRED_VAULT,
          inject: [ROOT_KEY],
          useFactory: (rootKey: RootKeyProvider) => ShredVault.open(config.dataDir, rootKey),
        },
        {
          provide: PRINCIPALS,
          useFactory: () => {
            const loaded = loadPrincipals({
              dataDir: config.dataDir,
              env: {
                KEYLEDGER_ACCESS_KEY_ID: config.accessKeyId,
                KEYLEDGER_SECRET_ACCESS_KEY: config.secretAccessKey,
                KEYLEDGER_PRINCIPALS_FILE: config.principalsFile,
              },
            });
            const logger = new Logger('Keyledger');
            if (loaded.bootstrap.generated)
              logger.warn(`Generated admin credentials; they are in ${loaded.bootstrap.path} (mode 0600)`);
            for (const warning of loaded.warnings) logger.warn(warning);
            return loaded.directory;
          },
        },
        LedgerView,
        {
          provide: LedgerProjection,
          inject: [EVENT_STORE, LedgerView],
          useFactory: (store: EventStore, view: LedgerView) =>
            new LedgerProjection(store, view, {
              snapshotFile: join(config.dataDir, LEDGER_VIEW_SNAPSHOT_FILE),
              snapshotEvery: SNAPSHOT_EVERY_EVENTS,
            }),
        },
      ],
      exports: [
        CONFIG,
        CLOCK,
        EVENT_STORE,
        ROOT_KEY,
        IMPORT_TOKEN_KEY,
        SHRED_VAULT,
        PRINCIPALS,
        LedgerView,
        LedgerProjection,
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    await this.projection.start();
    const restored = this.projection.restoredPosition;
    this.logger.log(
      `ledger view caught up in ${Date.now() - started} ms (${restored === undefined ? 'replayed from the start' : `from its snapshot at position ${restored}`})`,
    );
    const failure = this.projection.snapshotFailure;
    if (failure) this.logger.warn(`ledger view snapshot failed: ${failure.name}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projection.stop();
    await this.store.close();
    this.vault.close();
  }
}
