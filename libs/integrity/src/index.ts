export * from './checkpoints/ledger-checkpoints.js';
export * from './verify/verify-ledger.js';
