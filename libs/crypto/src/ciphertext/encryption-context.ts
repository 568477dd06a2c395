import { isWellFormedString } from '../internal/well-formed.js';

/** AWS KMS encryption context: string keys to string values, not secret, bound as AAD. */
export type EncryptionContext = Readonly<Record<string, string>>;

export class InvalidEncryptionContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEncryptionContextError';
  }
}

const EMPTY_CONTEXT_ENCODING = Buffer.alloc(4);

/**
 * Canonical, unambiguous bytes for an encryption context:
 *   u32be pairCount, then per pair sorted by the key's UTF-8 bytes:
 *   u32be keyLength, key UTF-8, u32be valueLength, value UTF-8.
 * Undefined, null and `{}` all encode to four zero bytes.
 */
export function encodeEncryptionContext(context?: EncryptionContext | null): Buffer {
  return Buffer.from(encodeEncryptionContextShared(context));
}

/** As `encodeEncryptionContext`, but the empty encoding is a shared buffer: callers must not mutate it. */
export function encodeEncryptionContextShared(context?: EncryptionContext | null): Buffer {
  if (context === undefined || context === null) return EMPTY_CONTEXT_ENCODING;
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new InvalidEncryptionContextError('encryption context must be an object of string keys to string values');
  }
  const keys = Object.keys(context);
  if (keys.length === 0) return EMPTY_CONTEXT_ENCODING;

  const pairs: { key: Buffer; value: Buffer }[] = [];
  let size = 4;
  for (const key of keys) {
    const value = context[key];
    // Values are never echoed: encryption context is not secret, but it is the caller's data.
    if (!isWellFormedString(key))
      throw new InvalidEncryptionContextError('encryption context keys must be well-formed strings');
    if (!isWellFormedString(value))
      throw new InvalidEncryptionContextError('encryption context values must be well-formed strings');
    const pair = { key: Buffer.from(key, 'utf8'), value: Buffer.from(value, 'utf8') };
    pairs.push(pair);
    size += 8 + pair.key.length + pair.value.length;
  }
  // UTF-8 byte order, not JS (UTF-16 code unit) order: the two differ for characters
  // above U+FFFF versus U+E000..U+FFFF, and another implementation must reproduce this.
  if (pairs.length > 1) pairs.sort((a, b) => Buffer.compare(a.key, b.key));

  const out = Buffer.allocUnsafe(size);
  let offset = out.writeUInt32BE(pairs.length, 0);
  for (const { key, value } of pairs) {
    offset = out.writeUInt32BE(key.length, offset);
    offset += key.copy(out, offset);
    offset = out.writeUInt32BE(value.length, offset);
    offset += value.copy(out, offset);
  }
  return out;
}
