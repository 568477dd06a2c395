import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from './config/keyledger-config.js';
import { openDataDirectory } from './infrastructure/data-directory.js';
import { createKeyledgerServer } from './server.js';

/** Bad config or a damaged data directory: one line naming what is wrong, non-zero exit, nothing written. */
async function start() {
  try {
    const config = loadConfig();
    // Opened before Nest, so that a refusal is this one line and not a framework stack.
    const dataDirectory = openDataDirectory({
      dataDir: config.dataDir,
      rootKeyBase64: config.rootKey,
      embeddedLedger: !config.eventStoreUrl,
      purpose: 'a keyledger server',
    });
    const app = await createKeyledgerServer({ config, dataDirectory });
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
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
