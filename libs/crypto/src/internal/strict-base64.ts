const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes canonical standard base64, or returns undefined.
 * `Buffer.from(s, 'base64')` silently skips invalid characters, which would let a
 * mangled root key or sealed blob decode to *something*.
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  // Stryker disable next-line ConditionalExpression: the round trip below refuses whatever the pattern refuses
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Rejects non-zero padding bits, so that each byte string has exactly one encoding.
  if (bytes.toString('base64') !== text) return undefined;
  return bytes;
}
