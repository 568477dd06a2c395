import { decryptRefusal, keyStateOf, type KeyAggregate } from '@keyledger/ledger';
import type { Decryptability, DecryptabilityReason } from './decryptability.js';

const RSA_CIPHERTEXT_BYTES: Record<string, number> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };

/**
 * Whether a ciphertext of this RSA key could be decrypted by it at that time. The blob
 * names no key and only the private key could tell whether it opens, so the answer is the
 * key's (and its material's) state, after a check that the blob is one RSA block long.
 */
export function rsaDecryptability(key: KeyAggregate, ciphertextBlob: Buffer, asOf: string): Decryptability {
  const keyMaterialId = key.currentKeyMaterialId ?? key.backingKeys[0]?.keyMaterialId ?? null;
  const keyState = key.deleted ? 'Deleted' : keyStateOf(key);
  const reason: DecryptabilityReason =
    key.keyUsage !== 'ENCRYPT_DECRYPT' || ciphertextBlob.length !== RSA_CIPHERTEXT_BYTES[key.keySpec]
      ? 'INVALID_CIPHERTEXT'
      : keyMaterialId === null
        ? key.deleted
          ? 'KEY_DELETED'
          : 'KEY_MATERIAL_NOT_IMPORTED'
        : (decryptRefusal(key, keyMaterialId) ?? 'DECRYPTABLE');
  return {
    decryptable: reason === 'DECRYPTABLE',
    reason,
    keyId: key.keyId,
    keyMaterialId,
    region: key.region,
    asOf,
    keyState,
  };
}
