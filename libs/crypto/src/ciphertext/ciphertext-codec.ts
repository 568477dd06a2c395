import { createCipheriv, createDecipheriv, hkdfSync, KeyObject, randomFillSync } from 'node:crypto';
import { isKeyId, isKeyMaterialId, isMultiRegionKeyId } from '../identifiers.js';
import { encodeEncryptionContextShared, type EncryptionContext } from './encryption-context.js';
import { InvalidCiphertextError } from './invalid-ciphertext-error.js';

/*
 * Layout of format versions 1 and 2 (see docs/ciphertext-format.md). They differ only in
 * how the 16 key id bytes read: version 1 names a single-Region key (a UUID), version 2 a
 * multi-Region key (`mrk-` and the 32 hex digits), which every replica decrypts.
 *
 *   offset  size  field
 *        0     1  magic 0x4B ('K')
 *        1     1  format version (0x01 or 0x02)
 *        2    16  KMS key id (UUID or mrk- digits, raw bytes)
 *       18    32  KeyMaterialId (raw bytes)
 *       50    32  HKDF salt (random)
 *       82    12  AES-GCM IV (random)
 *       94     n  AES-256-GCM ciphertext
 *     94+n    16  GCM tag
 *
 * Header = bytes [0, 94). AAD = header || encodeEncryptionContext(context).
 */
export const CIPHERTEXT_MAGIC = 0x4b;
/** The single-Region format: what every ciphertext of a UUID key is, and stays readable forever. */
export const CIPHERTEXT_VERSION = 1;
/** The multi-Region format: the key id bytes are an `mrk-` id's digits. */
export const CIPHERTEXT_VERSION_MULTI_REGION = 2;
const MULTI_REGION_PREFIX = 'mrk-';

const OFFSET_VERSION = 1;
const OFFSET_KEY_ID = 2;
const KEY_ID_BYTES = 16;
const OFFSET_KEY_MATERIAL_ID = OFFSET_KEY_ID + KEY_ID_BYTES;
const KEY_MATERIAL_ID_BYTES = 32;
const OFFSET_SALT = OFFSET_KEY_MATERIAL_ID + KEY_MATERIAL_ID_BYTES;
const SALT_BYTES = 32;
const OFFSET_IV = OFFSET_SALT + SALT_BYTES;
const IV_BYTES = 12;
export const CIPHERTEXT_HEADER_LENGTH = OFFSET_IV + IV_BYTES;
const TAG_BYTES = 16;
/** Bytes a ciphertext adds to its plaintext; also the length of a ciphertext of an empty plaintext. */
export const CIPHERTEXT_OVERHEAD = CIPHERTEXT_HEADER_LENGTH + TAG_BYTES;

const BACKING_KEY_BYTES = 32;
// The version is part of the info so that a future format can never derive the same
// per-message key from the same backing key and salt.
const MESSAGE_KEY_INFO = new Map<number, Buffer>(
  [CIPHERTEXT_VERSION, CIPHERTEXT_VERSION_MULTI_REGION].map((v) => [
    v,
    Buffer.from(`keyledger/ciphertext/message-key/aes-256-gcm\0${String.fromCharCode(v)}`, 'latin1'),
  ]),
);

export interface ParsedCiphertext {
  readonly version: number;
  /** The KMS key that made the ciphertext: a lowercase UUID (version 1) or an `mrk-` id (version 2). */
  readonly keyId: string;
  /** 64 lowercase hex digits: the backing key that made the ciphertext. */
  readonly keyMaterialId: string;
  // The buffers below are views into the parsed blob, not copies: do not mutate the blob.
  readonly header: Buffer;
  readonly salt: Buffer;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export interface CiphertextHeaderFields {
  keyId: string;
  keyMaterialId: string;
  salt: Buffer;
  iv: Buffer;
}

/**
 * A 32-byte backing key. A KeyObject made once per backing key is what the
 * server passes: hkdfSync would otherwise wrap the bytes in a new KeyObject on
 * every call, a copy per request that lives until it is collected.
 */
export type BackingKeyInput = KeyObject | Buffer;

export interface EncryptInput {
  /** The backing key named by `keyMaterialId`. */
  backingKey: BackingKeyInput;
  keyId: string;
  keyMaterialId: string;
  plaintext: Buffer;
  encryptionContext?: EncryptionContext | null;
}

export interface DecryptInput {
  backingKey: BackingKeyInput;
  parsed: ParsedCiphertext;
  encryptionContext?: EncryptionContext | null;
}

/** The header bytes for the given fields (the first CIPHERTEXT_HEADER_LENGTH bytes of a ciphertext). */
export function encodeHeader(fields: CiphertextHeaderFields): Buffer {
  if (fields.salt.length !== SALT_BYTES) throw new RangeError(`salt must be ${SALT_BYTES} bytes`);
  if (fields.iv.length !== IV_BYTES) throw new RangeError(`iv must be ${IV_BYTES} bytes`);
  const header = Buffer.allocUnsafe(CIPHERTEXT_HEADER_LENGTH);
  writeHeaderIds(header, fields.keyId, fields.keyMaterialId);
  fields.salt.copy(header, OFFSET_SALT);
  fields.iv.copy(header, OFFSET_IV);
  return header;
}

/**
 * Splits a ciphertext blob into its fields without decrypting it, so that the caller can
 * find the key and the backing key. Throws InvalidCiphertextError for anything that is
 * not a well-formed version 1 blob. Trailing garbage cannot be told apart from ciphertext
 * here (there is no length field); `decrypt` rejects it because the tag no longer matches.
 */
export function parseCiphertext(blob: Buffer): ParsedCiphertext {
  if (!Buffer.isBuffer(blob) || blob.length < 2) throw new InvalidCiphertextError('TOO_SHORT');
  if (blob[0] !== CIPHERTEXT_MAGIC) throw new InvalidCiphertextError('NOT_KEYLEDGER_CIPHERTEXT');
  const version = blob[OFFSET_VERSION]!;
  if (!MESSAGE_KEY_INFO.has(version)) throw new InvalidCiphertextError('UNSUPPORTED_VERSION');
  if (blob.length < CIPHERTEXT_OVERHEAD) throw new InvalidCiphertextError('TOO_SHORT');
  const tagStart = blob.length - TAG_BYTES;
  return {
    version,
    keyId: formatKeyId(version, blob.toString('hex', OFFSET_KEY_ID, OFFSET_KEY_ID + KEY_ID_BYTES)),
    keyMaterialId: blob.toString('hex', OFFSET_KEY_MATERIAL_ID, OFFSET_KEY_MATERIAL_ID + KEY_MATERIAL_ID_BYTES),
    header: blob.subarray(0, CIPHERTEXT_HEADER_LENGTH),
    salt: blob.subarray(OFFSET_SALT, OFFSET_SALT + SALT_BYTES),
    iv: blob.subarray(OFFSET_IV, OFFSET_IV + IV_BYTES),
    ciphertext: blob.subarray(CIPHERTEXT_HEADER_LENGTH, tagStart),
    tag: blob.subarray(tagStart),
  };
}

export function encrypt(input: EncryptInput): Buffer {
  const { backingKey, plaintext } = input;
  assertBackingKey(backingKey);
  const context = encodeEncryptionContextShared(input.encryptionContext);

  // Every byte of `out` is written below, so the unzeroed allocation never leaks old memory.
  const out = Buffer.allocUnsafe(CIPHERTEXT_OVERHEAD + plaintext.length);
  writeHeaderIds(out, input.keyId, input.keyMaterialId);
  randomFillSync(out, OFFSET_SALT, SALT_BYTES + IV_BYTES);

  const messageKey = deriveMessageKey(
    backingKey,
    out[OFFSET_VERSION]!,
    out.subarray(OFFSET_SALT, OFFSET_SALT + SALT_BYTES),
  );
  const cipher = createCipheriv('aes-256-gcm', messageKey, out.subarray(OFFSET_IV, OFFSET_IV + IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  messageKey.fill(0);
  cipher.setAAD(buildAad(out, context));
  const body = cipher.update(plaintext);
  const rest = cipher.final();
  if (body.length + rest.length !== plaintext.length) throw new Error('unexpected AES-GCM output length');
  body.copy(out, CIPHERTEXT_HEADER_LENGTH);
  rest.copy(out, CIPHERTEXT_HEADER_LENGTH + body.length);
  cipher.getAuthTag().copy(out, CIPHERTEXT_HEADER_LENGTH + plaintext.length);
  return out;
}

/** Throws InvalidCiphertextError (empty message) when the ciphertext does not authenticate. */
export function decrypt(input: DecryptInput): Buffer {
  const { backingKey, parsed } = input;
  assertBackingKey(backingKey);
  if (!MESSAGE_KEY_INFO.has(parsed.version)) throw new InvalidCiphertextError('UNSUPPORTED_VERSION');
  const context = encodeEncryptionContextShared(input.encryptionContext);

  const messageKey = deriveMessageKey(backingKey, parsed.version, parsed.salt);
  const decipher = createDecipheriv('aes-256-gcm', messageKey, parsed.iv, { authTagLength: TAG_BYTES });
  messageKey.fill(0);
  decipher.setAuthTag(parsed.tag);
  decipher.setAAD(buildAad(parsed.header, context));
  const plaintext = decipher.update(parsed.ciphertext);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    throw new InvalidCiphertextError('AUTHENTICATION_FAILED');
  }
  return plaintext;
}

/**
 * HKDF-SHA256(ikm = backing key, salt = random per message, info = domain || version).
 * A fresh key per message means the 2^32-messages limit of random GCM IVs applies to
 * each derived key (used once), not to the backing key, which may encrypt for years.
 */
function deriveMessageKey(backingKey: BackingKeyInput, version: number, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', backingKey, salt, MESSAGE_KEY_INFO.get(version)!, 32));
}

function buildAad(headerSource: Buffer, context: Buffer): Buffer {
  const aad = Buffer.allocUnsafe(CIPHERTEXT_HEADER_LENGTH + context.length);
  headerSource.copy(aad, 0, 0, CIPHERTEXT_HEADER_LENGTH);
  context.copy(aad, CIPHERTEXT_HEADER_LENGTH);
  return aad;
}

function writeHeaderIds(target: Buffer, keyId: string, keyMaterialId: string): void {
  if (!isKeyId(keyId)) throw new TypeError('keyId must be a lowercase UUID or a multi-Region mrk- id');
  if (!isKeyMaterialId(keyMaterialId)) throw new TypeError('keyMaterialId must be 64 lowercase hex digits');
  const multiRegion = isMultiRegionKeyId(keyId);
  target[0] = CIPHERTEXT_MAGIC;
  target[OFFSET_VERSION] = multiRegion ? CIPHERTEXT_VERSION_MULTI_REGION : CIPHERTEXT_VERSION;
  const digits = multiRegion ? keyId.slice(MULTI_REGION_PREFIX.length) : keyId.replaceAll('-', '');
  target.write(digits, OFFSET_KEY_ID, KEY_ID_BYTES, 'hex');
  target.write(keyMaterialId, OFFSET_KEY_MATERIAL_ID, KEY_MATERIAL_ID_BYTES, 'hex');
}

function formatKeyId(version: number, hex: string): string {
  if (version === CIPHERTEXT_VERSION_MULTI_REGION) return `${MULTI_REGION_PREFIX}${hex}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function assertBackingKey(backingKey: BackingKeyInput): void {
  const bytes =
    backingKey instanceof KeyObject
      ? backingKey.type === 'secret'
        ? backingKey.symmetricKeySize
        : undefined
      : Buffer.isBuffer(backingKey)
        ? backingKey.length
        : undefined;
  if (bytes !== BACKING_KEY_BYTES) {
    throw new RangeError(`backing key must be ${BACKING_KEY_BYTES} bytes`);
  }
}

/** The KMS key id a ciphertext names, for routing before the key is loaded. */
export function keyIdFromCiphertext(blob: Buffer): string {
  return parseCiphertext(blob).keyId;
}
