// A lone UTF-16 surrogate encodes to U+FFFD, so two different JS strings could
// map to the same bytes; anything bound into AAD or a KDF must be rejected instead.
const LONE_SURROGATE = /\p{Cs}/u;

export function isWellFormedString(value: unknown): value is string {
  return typeof value === 'string' && !LONE_SURROGATE.test(value);
}
