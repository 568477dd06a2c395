/** Small constants more than one layer needs: each is defined here only. */

export const DAY_MS = 86_400_000;

/** AWS's default `Limit` for every paged KMS list; the ledger API's pages follow it. */
export const DEFAULT_PAGE_SIZE = 100;

/** A KMS key id: a lowercase UUID, as AWS issues them (the ciphertext stores it as 16 raw bytes). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A multi-Region key id: `mrk-` and 32 lowercase hex digits (the ciphertext stores the digits as 16 raw bytes). */
export const MULTI_REGION_KEY_ID_PATTERN = /^mrk-[0-9a-f]{32}$/;

/** Any KMS key id Keyledger issues: a single-Region UUID or a multi-Region `mrk-` id. */
export const isKmsKeyId = (id: string): boolean => UUID_PATTERN.test(id) || MULTI_REGION_KEY_ID_PATTERN.test(id);
export const isMultiRegionKeyId = (id: string): boolean => MULTI_REGION_KEY_ID_PATTERN.test(id);
