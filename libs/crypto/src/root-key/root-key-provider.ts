/**
 * The root ("domain") key that protects everything else. Implementations keep the
 * key itself out of reach (in memory only, or inside an HSM through PKCS#11 later);
 * callers only ever see wrapped blobs and purpose-derived keys.
 */
export interface RootKeyProvider {
  /** Authenticated encryption of `plaintext`, bound to `context` (which is not secret). */
  wrap(plaintext: Buffer, context: string): Buffer;
  /** Inverse of `wrap`; throws RootKeyUnwrapError unless `wrapped` was made with the same key and context. */
  unwrap(wrapped: Buffer, context: string): Buffer;
  /** A 32-byte key for `purpose` (e.g. signing ledger checkpoints), stable for the same root key. */
  deriveKey(purpose: string): Buffer;
}

/** Start-up problems with the root key: missing, malformed or unsafely stored. Never carries key bytes. */
export class RootKeyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RootKeyError';
  }
}

/** A wrapped blob that is corrupt, bound to another context or made under another root key. */
export class RootKeyUnwrapError extends Error {
  constructor() {
    super(
      'root key unwrap failed: the wrapped data is corrupt, bound to a different context, or was wrapped under a different root key',
    );
    this.name = 'RootKeyUnwrapError';
  }
}
