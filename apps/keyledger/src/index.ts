export { AppModule } from './app.module.js';
export { createKeyledgerServer, type CreateServerOptions } from './server.js';
export { loadConfig, type KeyledgerConfig } from './config/keyledger-config.js';
export { Scheduler } from './scheduler/scheduler.service.js';
export * from './infrastructure/tokens.js';
export { UsageRecorder } from './usage/usage-recorder.js';
