/** The checkpoint keys (CheckpointKeys): the Ed25519 pair and the v1 MAC key, derived from the root key. */
export const CHECKPOINT_KEYS = Symbol('LedgerCheckpointKeys');
