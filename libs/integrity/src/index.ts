export * from './checkpoints/checkpoint-format.js';
export * from './checkpoints/checkpoint-keys.js';
export * from './checkpoints/ledger-checkpoints.js';
export { MerkleHeads, merkleLeafHash } from './checkpoints/merkle-heads.js';
export * from './verify/verify-ledger.js';
export * from './checkpoints/checkpoint-translation.js';
