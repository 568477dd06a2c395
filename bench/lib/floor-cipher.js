// The floors' AES-256-GCM, on a blob with Keyledger's ciphertext layout and size:
//   header (94 bytes; IV at offset 82) || ciphertext || tag (16), header bound as AAD.
import { createCipheriv, createDecipheriv, hkdfSync, randomFillSync } from 'node:crypto';

export const HEADER = 94;
const IV_AT = 82;
const TAG = 16;
const SALT_AT = 50;
const INFO = Buffer.from('keyledger/ciphertext/message-key/aes-256-gcm\0\x01', 'latin1');

export function floorSeal(key, plaintext) {
  const out = Buffer.allocUnsafe(HEADER + plaintext.length + TAG);
  randomFillSync(out, 0, HEADER);
  const cipher = createCipheriv('aes-256-gcm', key, out.subarray(IV_AT, HEADER));
  cipher.setAAD(out.subarray(0, HEADER));
  cipher.update(plaintext).copy(out, HEADER);
  cipher.final();
  cipher.getAuthTag().copy(out, HEADER + plaintext.length);
  return out;
}

export function floorOpen(key, blob) {
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(IV_AT, HEADER));
  decipher.setAuthTag(blob.subarray(blob.length - TAG));
  decipher.setAAD(blob.subarray(0, HEADER));
  const plaintext = decipher.update(blob.subarray(HEADER, blob.length - TAG));
  decipher.final();
  return plaintext;
}

/**
 * The in-process floor: HKDF-SHA256 of a per-message key from the backing key and the blob's salt, then AES-256-GCM.
 */
export function floorOpenHkdf(backingKey, blob) {
  const messageKey = Buffer.from(hkdfSync('sha256', backingKey, blob.subarray(SALT_AT, SALT_AT + 32), INFO, 32));
  return floorOpen(messageKey, blob);
}

export function floorSealHkdf(backingKey, plaintext) {
  const out = Buffer.allocUnsafe(HEADER + plaintext.length + TAG);
  randomFillSync(out, 0, HEADER);
  const messageKey = Buffer.from(hkdfSync('sha256', backingKey, out.subarray(SALT_AT, SALT_AT + 32), INFO, 32));
  const cipher = createCipheriv('aes-256-gcm', messageKey, out.subarray(IV_AT, HEADER));
  cipher.setAAD(out.subarray(0, HEADER));
  cipher.update(plaintext).copy(out, HEADER);
  cipher.final();
  cipher.getAuthTag().copy(out, HEADER + plaintext.length);
  return out;
}
