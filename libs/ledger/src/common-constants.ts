/** Small constants more than one layer needs: each is defined here only. */

export const DAY_MS = 86_400_000;

/** AWS's default `Limit` for every paged KMS list; the ledger API's pages follow it. */
export const DEFAULT_PAGE_SIZE = 100;

/** A KMS key id: a lowercase UUID, as AWS issues them (the ciphertext stores it as 16 raw bytes). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
