export * from './protocol/index.js';
export * from './auth/index.js';
export * from './errors/to-kms-error.js';
