import type { RootKeyProvider } from './root-key-provider.js';

const CHECK_PURPOSE = 'keyledger/root-key-check/v1';

/**
 * A check value of the root key (as a KCV is for an HSM key): 16 bytes of a key
 * derived for this purpose alone, in hex. Recorded when a data directory is made,
 * it tells at start whether the root key is the one everything was wrapped under.
 * Being HKDF output under its own purpose it reveals nothing of the root key or of
 * any other derived key. Works for any provider, an HSM's included.
 */
export function rootKeyCheckValue(rootKey: RootKeyProvider): string {
  const derived = rootKey.deriveKey(CHECK_PURPOSE);
  try {
    return derived.subarray(0, 16).toString('hex');
  } finally {
    derived.fill(0);
  }
}
