import { createCipheriv, createDecipheriv, hkdfSync, randomFillSync } from 'node:crypto';
import { isWellFormedString } from '../internal/well-formed.js';
import { RootKeyUnwrapError, type RootKeyProvider } from './root-key-provider.js';

export const ROOT_KEY_LENGTH = 32;

const WRAP_FORMAT_VERSION = 0x01;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const WRAP_OVERHEAD = 1 + IV_LENGTH + TAG_LENGTH;

// The root key is only ever HKDF input: the wrapping key and every purpose key are
// derived under distinct infos, so no purpose string can yield the wrapping key.
const WRAP_KEY_INFO = Buffer.from('keyledger/root-key/wrap/v1', 'utf8');
const DERIVE_INFO_PREFIX = Buffer.from('keyledger/root-key/derive/v1\0', 'utf8');

/**
 * A root key held in process memory (from a file or from configuration).
 * ES private fields keep the key bytes out of `util.inspect`/`console.log` of the provider.
 */
export class LocalRootKeyProvider implements RootKeyProvider {
  readonly #rootKey: Buffer;
  readonly #wrapKey: Buffer;

  protected constructor(rootKey: Buffer) {
    // Stryker disable next-line ConditionalExpression,StringLiteral: the factories refuse a wrong length first
    if (rootKey.length !== ROOT_KEY_LENGTH) throw new RangeError(`root key must be ${ROOT_KEY_LENGTH} bytes`);
    // Copied so that the caller may zero its buffer.
    this.#rootKey = Buffer.from(rootKey);
    this.#wrapKey = Buffer.from(hkdfSync('sha256', this.#rootKey, Buffer.alloc(0), WRAP_KEY_INFO, 32));
  }

  wrap(plaintext: Buffer, context: string): Buffer {
    const aad = wrapAad(context);
    const out = Buffer.allocUnsafe(WRAP_OVERHEAD + plaintext.length);
    out[0] = WRAP_FORMAT_VERSION;
    // Random 96-bit IVs under one wrapping key: safe far beyond the number of
    // shred keys a vault will ever hold (NIST limit 2^32 wraps).
    const iv = randomFillSync(out, 1, IV_LENGTH).subarray(1, 1 + IV_LENGTH);
    // Stryker disable next-line ObjectLiteral: 16 bytes is also node:crypto's default AES-GCM tag length
    const cipher = createCipheriv('aes-256-gcm', this.#wrapKey, iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const rest = cipher.final();
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator,StringLiteral: GCM output is input-long
    if (body.length + rest.length !== plaintext.length) throw new Error('unexpected AES-GCM output length');
    body.copy(out, 1 + IV_LENGTH);
    rest.copy(out, 1 + IV_LENGTH + body.length);
    cipher.getAuthTag().copy(out, 1 + IV_LENGTH + plaintext.length);
    return out;
  }

  unwrap(wrapped: Buffer, context: string): Buffer {
    const aad = wrapAad(context);
    if (wrapped.length < WRAP_OVERHEAD || wrapped[0] !== WRAP_FORMAT_VERSION) throw new RootKeyUnwrapError();
    const iv = wrapped.subarray(1, 1 + IV_LENGTH);
    const body = wrapped.subarray(1 + IV_LENGTH, wrapped.length - TAG_LENGTH);
    const tag = wrapped.subarray(wrapped.length - TAG_LENGTH);
    // Stryker disable next-line ObjectLiteral: the tag passed is always the last 16 bytes, the default length anyway
    const decipher = createDecipheriv('aes-256-gcm', this.#wrapKey, iv, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(tag);
    decipher.setAAD(aad);
    const plaintext = decipher.update(body);
    try {
      decipher.final();
    } catch {
      plaintext.fill(0);
      throw new RootKeyUnwrapError();
    }
    return plaintext;
  }

  deriveKey(purpose: string): Buffer {
    if (!isWellFormedString(purpose) || purpose.length === 0) {
      throw new TypeError('deriveKey purpose must be a non-empty, well-formed string');
    }
    // Stryker disable next-line StringLiteral: Buffer.from reads the encoding '' as utf8
    const info = Buffer.concat([DERIVE_INFO_PREFIX, Buffer.from(purpose, 'utf8')]);
    return Buffer.from(hkdfSync('sha256', this.#rootKey, Buffer.alloc(0), info, 32));
  }
}

function wrapAad(context: string): Buffer {
  if (!isWellFormedString(context)) throw new TypeError('wrap context must be a well-formed string');
  // Stryker disable next-line StringLiteral: Buffer.from reads the encoding '' as utf8
  const contextBytes = Buffer.from(context, 'utf8');
  const aad = Buffer.allocUnsafe(1 + contextBytes.length);
  aad[0] = WRAP_FORMAT_VERSION;
  contextBytes.copy(aad, 1);
  return aad;
}
