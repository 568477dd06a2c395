export * from './ledger-projection.js';
export * from './ledger/index.js';
export * from './projection-snapshot.js';
export * from './time-index.js';
export * from './last-use-index.js';
export * from './snapshot-seal.js';
