const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_MATERIAL_ID = /^[0-9a-f]{64}$/;

/** A KMS key id: a lowercase UUID (the ciphertext stores it as 16 raw bytes). */
export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID.test(value);
}

/** A KeyMaterialId: 64 lowercase hex digits (the ciphertext stores it as 32 raw bytes). */
export function isKeyMaterialId(value: unknown): value is string {
  return typeof value === 'string' && KEY_MATERIAL_ID.test(value);
}
