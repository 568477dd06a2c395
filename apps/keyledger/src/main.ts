import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from './config/keyledger-config.js';
import { createKeyledgerServer } from './server.js';

const config = loadConfig();
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
