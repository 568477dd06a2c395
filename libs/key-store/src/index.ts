export * from './key-state-cache.js';
export * from './ledger-repository.js';
export * from './tokens.js';
