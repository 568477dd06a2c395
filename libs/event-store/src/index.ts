// The contract suite (contract/event-store.contract.ts) is deliberately not
// exported: it imports vitest, which the production server does not have.
export * from './event-store.port.js';
export { SqliteEventStore, DEFAULT_READ_ALL_MAX_COUNT } from './sqlite/sqlite-event-store.js';
export { EsdbEventStore, STORE_IDENTITY_STREAM } from './esdb/esdb-event-store.js';
export type { EsdbEventStoreOptions } from './esdb/esdb-event-store.js';
export { isEventStoreUrl, normaliseConnectionString, redactConnectionString } from './esdb/esdb-connection-string.js';
export { createEventStore, LEDGER_FILE_NAME } from './create-event-store.js';
export type { CreateEventStoreOptions } from './create-event-store.js';
