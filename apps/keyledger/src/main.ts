import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from './config/keyledger-config.js';
import { openDataDirectory } from './infrastructure/data-directory.js';
import { awaitEventStoreBeforeStart } from './observability/store-startup.js';
import { OperatorLog } from './observability/operator-log.js';
import { createKeyledgerServer } from './server.js';

/** Bad config or a damaged data directory: one line naming what is wrong, non-zero exit, nothing written. */
async function start() {
  try {
    const config = loadConfig();
    const log = new OperatorLog(config.observability.logFormat, config.observability.logLevel);
    if (config.eventStoreUrl)
      await awaitEventStoreBeforeStart(config.eventStoreUrl, config.observability.startupTimeoutMs, (message) =>
        log.write('warn', 'EventStore', message),
      );
    // Opened before Nest, so that a refusal is this one line and not a framework stack.
    const dataDirectory = openDataDirectory({
      dataDir: config.dataDir,
      rootKeyBase64: config.rootKey,
      embeddedLedger: !config.eventStoreUrl,
      purpose: 'a keyledger server',
    });
    const app = await createKeyledgerServer({ config, dataDirectory, log });
    await app.listen(config.port, config.host);
    return { config, app };
  } catch (error) {
    process.stderr.write(`keyledger: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

const { config, app } = await start();
new Logger('Keyledger').log(
  `listening on ${await app.getUrl()} (store: ${config.eventStoreUrl ? 'EventStoreDB' : `embedded, ${config.dataDir}`}, region ${config.region})`,
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
