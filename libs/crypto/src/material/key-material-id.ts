import { createHmac, randomBytes } from 'node:crypto';
import { isKeyId } from '../identifiers.js';
import { IMPORTED_MATERIAL_BYTES } from '../import/key-import.js';

const IMPORTED_ID_DOMAIN = 'keyledger/imported-key-material-id/v1\0';

/** A KeyMaterialId for material Keyledger generated: 32 random bytes as 64 lowercase hex. */
export function generatedKeyMaterialId(): string {
  return randomBytes(32).toString('hex');
}

/**
 * A KeyMaterialId for imported material: HMAC-SHA256 keyed by the material over a
 * domain-separated string naming the key. Re-importing the same material into the same
 * key yields the same id (so old ciphertexts find it again); the same material in another
 * key gets another id; and, the material being a 256-bit secret, the id reveals nothing of it.
 */
export function importedKeyMaterialId(keyId: string, material: Buffer): string {
  if (!isKeyId(keyId)) throw new TypeError('keyId must be a lowercase UUID');
  if (!Buffer.isBuffer(material) || material.length === 0) throw new RangeError('imported material must not be empty');
  // HMAC zero-pads a short key, so K and K‖00 would share an id: any length but the
  // symmetric 32 bytes (whose ids were fixed before other specs existed) goes into the message.
  const message =
    material.length === IMPORTED_MATERIAL_BYTES
      ? IMPORTED_ID_DOMAIN + keyId
      : `${IMPORTED_ID_DOMAIN}${keyId}\0${material.length}`;
  // Stryker disable next-line StringLiteral: update() reads the encoding '' as utf8
  return createHmac('sha256', material).update(message, 'utf8').digest('hex');
}
