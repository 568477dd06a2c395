/**
 * The AWS KMS quotas of what Keyledger serves, in one place (AWS KMS Developer Guide,
 * "Resource quotas"). The deciders enforce the resource quotas; the protocol model
 * (libs/kms-api shapes) takes the request-shape ones from here.
 *
 * Decided where AWS's quota makes no sense self-hosted: the number of keys per
 * account (AWS: 100,000, adjustable) is not capped; request-rate quotas are replaced
 * by the server's connection and in-flight limits (README, Security).
 */

/** Tags on one key; AWS answers TagException "Too many tags". */
export const MAX_TAGS_PER_KEY = 50;

/** Aliases pointing at one key. */
export const MAX_ALIASES_PER_KEY = 50;

/** On-demand rotations over a key's life (AWS: 10); KEYLEDGER_MAX_ON_DEMAND_ROTATIONS changes it. */
export const DEFAULT_MAX_ON_DEMAND_ROTATIONS = 10;

/** GrantTokens in one request (the model's GrantTokenList). */
export const MAX_GRANT_TOKENS_PER_REQUEST = 10;

/** Grants on one key, for when grants are served. */
export const MAX_GRANTS_PER_KEY = 50_000;
