export * from './history.js';
export * from './csv.js';
export { KeyTimeline } from './key-timeline.js';
export * from './ledger-queries.js';
export * from './usage/index.js';
export { checkRegion, regionalKey, type RegionalKey } from './regional-keys.js';
