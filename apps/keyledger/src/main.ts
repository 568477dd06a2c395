import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, type KeyledgerConfig } from './config/keyledger-config.js';
import { createKeyledgerServer } from './server.js';

// Bad configuration: one line and a non-zero exit, before anything is written.
let config: KeyledgerConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`keyledger: ${error.message}\n`);
  process.exit(1);
}
const app = await createKeyledgerServer({ config });
await app.listen(config.port, config.host);
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
