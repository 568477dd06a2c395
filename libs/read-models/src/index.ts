export * from './ledger-view.js';
export * from './ledger-projection.js';
export * from './ledger/index.js';
