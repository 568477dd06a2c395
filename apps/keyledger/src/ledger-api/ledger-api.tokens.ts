/** The 32-byte HMAC key of ledger checkpoints, derived from the root key. */
export const CHECKPOINT_KEY = Symbol('LedgerCheckpointKey');
