import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { EventStore } from '@keyledger/event-store';
import { LedgerProjection } from '@keyledger/read-models';
import { loadConfig } from './config/keyledger-config.js';
import { openDataDirectory } from './infrastructure/data-directory.js';
import { awaitEventStoreBeforeStart } from './observability/store-startup.js';
import { OperatorLog } from './observability/operator-log.js';
import { createKeyledgerServer } from './server.js';
import { assertPortFree, listenEarly, urlOf } from './http/listen.js';
import { StartupGate } from './http/startup-gate.js';
import { EVENT_STORE } from './infrastructure/tokens.js';

/**
 * Bad config, a port in use or a damaged data directory: one line naming what is wrong,
 * non-zero exit, nothing written. The server listens before its ledger view has caught up
 * with the store: `/healthz` answers 200 and `/readyz` 503 with the replay's progress until
 * the view is live and the start-up work (genesis checkpoint, seed, first scheduler pass)
 * is done; then "listening on" is logged and every route serves.
 */
async function start() {
  try {
    const config = loadConfig();
    const log = new OperatorLog(config.observability.logFormat, config.observability.logLevel);
    if (config.eventStoreUrl)
      await awaitEventStoreBeforeStart(config.eventStoreUrl, config.observability.startupTimeoutMs, (message) =>
        log.write('warn', 'EventStore', message),
      );
    await assertPortFree(config.port, config.host);
    // Opened before Nest, so that a refusal is this one line and not a framework stack.
    const dataDirectory = openDataDirectory({
      dataDir: config.dataDir,
      rootKeyBase64: config.rootKey,
      embeddedLedger: !config.eventStoreUrl,
      purpose: 'a keyledger server',
    });
    const startupGate = new StartupGate();
    const app = await createKeyledgerServer({ config, dataDirectory, log, startupGate });
    const projection = app.get(LedgerProjection);
    const store = app.get<string, EventStore>(EVENT_STORE);
    startupGate.follow(async () => ({ position: projection.position, head: await store.headPosition?.() }));
    const server = app.getHttpServer();
    await listenEarly(server, config.port, config.host);
    const url = urlOf(server, config.tls !== undefined);
    log.write('info', 'Keyledger', `accepting connections on ${url} (not ready until the ledger view has caught up)`);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    startupGate.open();
    return { config, app, url };
  } catch (error) {
    process.stderr.write(`keyledger: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

const { config, app, url } = await start();
new Logger('Keyledger').log(
  `listening on ${url} (store: ${config.eventStoreUrl ? 'EventStoreDB' : `embedded, ${config.dataDir}`}, region ${config.region})`,
);

// Close the store and the vault before exiting, so the WAL is checkpointed and the exit code says it went well.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    const logger = new Logger('Keyledger');
    logger.log(`${signal} received: finishing requests in flight, then closing the store`);
    app.close().then(
      () => {
        logger.log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`stopped with an error while closing: ${error instanceof Error ? error.name : 'error'}`);
        process.exit(1);
      },
    );
  });
}
