/** Injection tokens for what is not a class of ours. */
export const CONFIG = Symbol('KeyledgerConfig');
// The repository's tokens are its library's: one symbol each, whoever injects it.
export { CLOCK, EVENT_STORE } from '@keyledger/key-store';
export const ROOT_KEY = Symbol('RootKeyProvider');
export const SHRED_VAULT = Symbol('ShredVault');
export const PRINCIPALS = Symbol('PrincipalDirectory');
/** The key import tokens are authenticated with, derived from the root key. */
export const IMPORT_TOKEN_KEY = Symbol('ImportTokenKey');
/** The opened data directory: its lock, root key and vault, checked against each other. */
export const DATA_DIR = Symbol('DataDirectory');
