import { decodeStrictBase64 } from '../internal/strict-base64.js';
import { LocalRootKeyProvider, ROOT_KEY_LENGTH } from './local-root-key-provider.js';
import { RootKeyError } from './root-key-provider.js';

/** A root key given by configuration (`KEYLEDGER_ROOT_KEY`) rather than a file. */
export class StaticRootKeyProvider extends LocalRootKeyProvider {
  private constructor(key: Buffer) {
    super(key);
  }

  /** `source` names the setting in error messages; the value itself is never echoed. */
  static fromBase64(base64: string, source = 'KEYLEDGER_ROOT_KEY'): StaticRootKeyProvider {
    const key = typeof base64 === 'string' ? decodeStrictBase64(base64.trim()) : undefined;
    if (key === undefined) {
      throw new RootKeyError(
        `${source} is not valid base64; it must be the standard base64 encoding of exactly ${ROOT_KEY_LENGTH} random bytes`,
      );
    }
    try {
      if (key.length !== ROOT_KEY_LENGTH) {
        throw new RootKeyError(
          `${source} must decode to exactly ${ROOT_KEY_LENGTH} bytes, but it decodes to ${key.length} bytes`,
        );
      }
      // A `next-line` marker does not reach the finally below, so this pair fences its block alone.
      // Stryker disable BlockStatement: the decoded bytes never leave this function (the constructor copies)
      return new StaticRootKeyProvider(key);
    } finally {
      // Stryker restore BlockStatement
      key.fill(0);
    }
  }

  static fromKey(key: Buffer): StaticRootKeyProvider {
    if (key.length !== ROOT_KEY_LENGTH) {
      throw new RootKeyError(`a root key must be exactly ${ROOT_KEY_LENGTH} bytes, got ${key.length}`);
    }
    return new StaticRootKeyProvider(key);
  }
}
