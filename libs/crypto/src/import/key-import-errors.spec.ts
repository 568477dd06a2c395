import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StaticRootKeyProvider } from '../root-key/static-root-key-provider.js';
import { RootKeyError } from '../root-key/root-key-provider.js';
import { isKeyId, isKeyMaterialId } from '../identifiers.js';
import { importedKeyMaterialId } from '../material/key-material-id.js';
import { ImportUnwrapError, InvalidImportTokenError, readImportToken, unwrapImportedMaterial } from './key-import.js';

/*
 * The import errors by name (the API maps them by it), the identifier checks on values that only
 * look like identifiers when turned into text, and canonical base64 down to its padding bits.
 */
describe('import errors', () => {
  it('names an unwrap failure ImportUnwrapError', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    let failure: unknown;
    try {
      unwrapImportedMaterial('RSAES_OAEP_SHA_256', der, randomBytes(256));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ImportUnwrapError);
    expect((failure as Error).name).toBe('ImportUnwrapError');
  });

  it('names a bad import token InvalidImportTokenError', () => {
    let failure: unknown;
    try {
      readImportToken(randomBytes(32), Buffer.from('not a token'), randomUUID());
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(InvalidImportTokenError);
    expect((failure as Error).name).toBe('InvalidImportTokenError');
  });
});

describe('identifiers', () => {
  it('takes only strings: an array holding a valid id is not one, though its text is', () => {
    const keyId = randomUUID();
    const keyMaterialId = randomBytes(32).toString('hex');
    expect(isKeyId(keyId)).toBe(true);
    expect(isKeyId([keyId])).toBe(false);
    expect(isKeyMaterialId(keyMaterialId)).toBe(true);
    expect(isKeyMaterialId([keyMaterialId])).toBe(false);
  });

  it('refuses to name imported material of a key id that is not one, or material that is empty, by text', () => {
    expect(() => importedKeyMaterialId('KEY', randomBytes(32))).toThrow(
      new TypeError('keyId must be a lowercase UUID'),
    );
    expect(() => importedKeyMaterialId(randomUUID(), Buffer.alloc(0))).toThrow(
      new RangeError('imported material must not be empty'),
    );
  });
});

describe('canonical base64', () => {
  it('refuses a root key whose base64 sets the padding bits (a second spelling of the same bytes)', () => {
    const key = randomBytes(32);
    const canonical = key.toString('base64');
    const last = canonical.at(-2)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    // 32 bytes end in three characters and '=': the last character's low two bits are padding, zero when canonical.
    const padded = `${canonical.slice(0, -2)}${alphabet[alphabet.indexOf(last) | 1]}=`;
    expect(Buffer.from(padded, 'base64')).toEqual(key);
    expect(() => StaticRootKeyProvider.fromBase64(padded)).toThrow(RootKeyError);
    expect(() => StaticRootKeyProvider.fromBase64(padded)).toThrow(/not valid base64/);
    expect(() => StaticRootKeyProvider.fromBase64(canonical)).not.toThrow();
  });
});
