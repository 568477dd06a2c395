export * from './ledger-view.js';
export * from './ledger-projection.js';
export * from './ledger/index.js';
export * from './ledger-view-snapshot.js';
export * from './time-index.js';
export * from './snapshot-seal.js';
