import {
  Global,
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { join } from 'node:path';
import { createEventStore, redactConnectionString, type EventStore } from '@keyledger/event-store';
import { importTokenKeyPurpose, type RootKeyProvider } from '@keyledger/crypto';
import { loadPrincipals, PrincipalDirectory } from '@keyledger/kms-api';
import { DEV_BANNER, DEV_PRINCIPAL } from './development-mode.js';
import { systemClock, type Clock } from '@keyledger/ledger';
import { KeyStateCache } from '@keyledger/key-store';
import { LastUseIndex, LedgerProjection, TimeIndex } from '@keyledger/read-models';
import { EventBus } from '@nestjs/cqrs';
import { LedgerEventRecorded } from '../reactions/ledger-event-recorded.js';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { boundedStore } from '../observability/bounded-store.js';
import { KeyledgerMetrics } from '../observability/metrics.js';
import { StoreHealth } from '../observability/store-health.js';
import { waitForStore } from '../observability/store-startup.js';
import { LEDGER_VIEW_SNAPSHOT_FILE, openDataDirectory, snapshotSealOf, type OpenedDataDir } from './data-directory.js';
import { CLOCK, CONFIG, DATA_DIR, EVENT_STORE, IMPORT_TOKEN_KEY, PRINCIPALS, ROOT_KEY, SHRED_VAULT } from './tokens.js';

/** Often enough that a crash costs a short replay, rarely enough that writing the snapshot stays out of the way. */
const SNAPSHOT_EVERY_EVENTS = 100_000;

export interface InfrastructureOptions {
  config: KeyledgerConfig;
  clock?: Clock;
  /** Already opened (locked and checked) by the caller; otherwise opened here. */
  dataDirectory?: OpenedDataDir;
  /** A store made by the caller (a test's EventStoreDB double); otherwise made from the configuration. */
  eventStore?: EventStore;
}

/**
 * The edges the domain is wired to: the event store, the root key, the shred
 * vault, the principals, the clock, and the in-memory ledger view kept current
 * by the store subscription. The view is caught up before the server serves
 * (main.ts listens earlier, behind the startup gate).
 */
@Global()
@Module({})
export class InfrastructureModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Keyledger');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATA_DIR) private readonly dataDir: OpenedDataDir,
    private readonly projection: LedgerProjection,
  ) {}

  static forRoot({ config, clock = systemClock, dataDirectory, eventStore }: InfrastructureOptions): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        {
          // Locked and checked before anything in it is opened or created.
          provide: DATA_DIR,
          useFactory: () =>
            dataDirectory ??
            openDataDirectory({
              dataDir: config.dataDir,
              rootKeyBase64: config.rootKey,
              embeddedLedger: !config.eventStoreUrl,
              purpose: 'a keyledger server',
            }),
        },
        {
          // Answering before anything else is made: a store that is down ends the start within
          // KEYLEDGER_STARTUP_TIMEOUT_MS, in one line. Requests then wait on it a bounded time.
          provide: EVENT_STORE,
          inject: [DATA_DIR, KeyledgerMetrics, StoreHealth],
          useFactory: async (_dir: OpenedDataDir, metrics: KeyledgerMetrics, health: StoreHealth) => {
            const logger = new Logger('EventStore');
            const store =
              eventStore ??
              createEventStore({
                dataDir: config.dataDir,
                eventStoreUrl: config.eventStoreUrl,
                log: (message) => logger.warn(message),
              });
            try {
              await waitForStore(store, {
                deadlineMs: config.observability.startupTimeoutMs,
                storeName: config.eventStoreUrl
                  ? `the event store at ${redactConnectionString(config.eventStoreUrl)}`
                  : 'the embedded event store',
                log: (message) => logger.warn(message),
              });
            } catch (error) {
              await store.close().catch(() => undefined);
              throw error;
            }
            return boundedStore(store, config.observability.storeTimeoutMs, metrics, health);
          },
        },
        { provide: ROOT_KEY, inject: [DATA_DIR], useFactory: (dir: OpenedDataDir) => dir.rootKey },
        {
          provide: IMPORT_TOKEN_KEY,
          inject: [ROOT_KEY],
          useFactory: (rootKey: RootKeyProvider) => rootKey.deriveKey(importTokenKeyPurpose),
        },
        { provide: SHRED_VAULT, inject: [DATA_DIR], useFactory: (dir: OpenedDataDir) => dir.vault },
        {
          // After the store answered: a start that fails on its store writes no credentials.
          provide: PRINCIPALS,
          inject: [EVENT_STORE],
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
            if (config.dev) {
              logger.warn(DEV_BANNER);
              return new PrincipalDirectory([...loaded.principals, DEV_PRINCIPAL]);
            }
            return loaded.directory;
          },
        },
        KeyStateCache,
        TimeIndex,
        LastUseIndex,
        {
          provide: LedgerProjection,
          inject: [EVENT_STORE, KeyStateCache, TimeIndex, LastUseIndex, DATA_DIR, EventBus],
          useFactory: async (
            store: EventStore,
            cache: KeyStateCache,
            times: TimeIndex,
            lastUses: LastUseIndex,
            dir: OpenedDataDir,
            bus: EventBus,
          ) =>
            new LedgerProjection(store, cache, times, {
              snapshotFile: join(config.dataDir, LEDGER_VIEW_SNAPSHOT_FILE),
              snapshotEvery: SNAPSHOT_EVERY_EVENTS,
              snapshotSeal: snapshotSealOf(dir, await store.storeIdentity()),
              onLiveEvent: (event) => bus.publish(new LedgerEventRecorded(event)),
              lastUses,
            }),
        },
      ],
      exports: [
        DATA_DIR,
        CONFIG,
        CLOCK,
        EVENT_STORE,
        ROOT_KEY,
        IMPORT_TOKEN_KEY,
        SHRED_VAULT,
        PRINCIPALS,
        KeyStateCache,
        TimeIndex,
        LastUseIndex,
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
    const ignored = this.projection.snapshotIgnored;
    if (ignored) this.logger.warn(`ledger view snapshot ignored, the view was replayed from the log: ${ignored}`);
    const failure = this.projection.snapshotFailure;
    if (failure) this.logger.warn(`ledger view snapshot failed: ${failure.name}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projection.stop();
    await this.store.close();
    this.dataDir.close();
  }
}
