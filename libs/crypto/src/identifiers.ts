const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MULTI_REGION_KEY_ID = /^mrk-[0-9a-f]{32}$/;
const KEY_MATERIAL_ID = /^[0-9a-f]{64}$/;

/** A KMS key id: a lowercase UUID, or a multi-Region `mrk-` id (the ciphertext stores either as 16 raw bytes). */
export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && (KEY_ID.test(value) || MULTI_REGION_KEY_ID.test(value));
}

/** A multi-Region key id: `mrk-` and 32 lowercase hex digits. */
export function isMultiRegionKeyId(value: unknown): boolean {
  return typeof value === 'string' && MULTI_REGION_KEY_ID.test(value);
}

/** A KeyMaterialId: 64 lowercase hex digits (the ciphertext stores it as 32 raw bytes). */
export function isKeyMaterialId(value: unknown): value is string {
  return typeof value === 'string' && KEY_MATERIAL_ID.test(value);
}
