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
