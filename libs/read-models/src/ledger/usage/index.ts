export * from './usage-queries.js';
export type { BackingKeyUsage, BackingKeysReport } from './backing-key-usage.js';
export type { BackingKeyImpact, DeletionImpact, PrincipalImpact } from './deletion-impact.js';
export * from './key-usage.js';
export type { UnusedKey, UnusedKeysReport } from './unused-keys.js';
export { DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS } from './usage-context.js';
export { lastSuccessfulUse, lastUseAt, type LastUse } from './usage-rows.js';
