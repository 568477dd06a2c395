/**
 * Strict standard base64 (RFC 4648 §4, padded), as the AWS SDKs send blobs.
 * Node's own decoder silently skips bad characters and truncates at stray padding,
 * which would let two different wire strings name the same ciphertext and let
 * garbage reach the crypto layer: everything non-canonical is refused here.
 */

// Indexed by char code: 1 for the 64 alphabet characters.
const ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1;

// The last data character before '==' carries 2 meaningful bits, before '=' 4:
// canonical encodings leave the remaining bits zero.
const LAST_BEFORE_TWO_PAD = new Set('AQgw');
const LAST_BEFORE_ONE_PAD = new Set('AEIMQUYcgkosw048');

/** Returns the decoded bytes, or undefined when `text` is not canonical padded base64. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const n = text.length;
  if (n % 4 !== 0) return undefined;
  // Stryker disable next-line ConditionalExpression: '' passes every check below and decodes to no bytes; a shortcut
  if (n === 0) return Buffer.alloc(0);
  let pad = 0;
  if (text.charCodeAt(n - 1) === 61 /* = */) pad = text.charCodeAt(n - 2) === 61 ? 2 : 1;
  const dataEnd = n - pad;
  for (let i = 0; i < dataEnd; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ALPHABET[c] === 0) return undefined;
  }
  const last = text.charAt(dataEnd - 1);
  if (pad === 2 && !LAST_BEFORE_TWO_PAD.has(last)) return undefined;
  if (pad === 1 && !LAST_BEFORE_ONE_PAD.has(last)) return undefined;
  return Buffer.from(text, 'base64');
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.isBuffer(bytes)
    ? bytes.toString('base64')
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
