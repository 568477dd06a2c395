import { createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CIPHERTEXT_HEADER_LENGTH,
  decrypt,
  encrypt,
  keyIdFromCiphertext,
  parseCiphertext,
} from './ciphertext-codec.js';
import { encodeEncryptionContext } from './encryption-context.js';
import { InvalidCiphertextError } from './invalid-ciphertext-error.js';

const mrkId = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const uuid = '1234abcd-12ab-34cd-56ef-1234567890ab';
const keyMaterialId = randomBytes(32).toString('hex');
const backingKey = randomBytes(32);
const context = { app: 'orders' };
const plaintext = Buffer.from('multi-Region payload');

const open = (blob: Buffer) => decrypt({ backingKey, parsed: parseCiphertext(blob), encryptionContext: context });

describe('ciphertext format version 2: multi-Region keys', () => {
  it('names an mrk- key by its 32 digits under version 2, and any holder of the backing key opens it', () => {
    const blob = encrypt({ backingKey, keyId: mrkId, keyMaterialId, plaintext, encryptionContext: context });
    expect(blob[1]).toBe(0x02);
    expect(blob.subarray(2, 18).toString('hex')).toBe(mrkId.slice(4));
    const parsed = parseCiphertext(blob);
    expect(parsed.version).toBe(2);
    expect(parsed.keyId).toBe(mrkId);
    expect(keyIdFromCiphertext(blob)).toBe(mrkId);
    expect(open(blob)).toEqual(plaintext);
  });

  it('matches the documented construction: the version byte ends the HKDF info', () => {
    const blob = encrypt({ backingKey, keyId: mrkId, keyMaterialId, plaintext, encryptionContext: context });
    const info = Buffer.concat([
      Buffer.from('keyledger/ciphertext/message-key/aes-256-gcm', 'utf8'),
      Buffer.from([0, 2]),
    ]);
    const messageKey = Buffer.from(hkdfSync('sha256', backingKey, blob.subarray(50, 82), info, 32));
    const decipher = createDecipheriv('aes-256-gcm', messageKey, blob.subarray(82, 94), { authTagLength: 16 });
    decipher.setAuthTag(blob.subarray(blob.length - 16));
    decipher.setAAD(Buffer.concat([blob.subarray(0, CIPHERTEXT_HEADER_LENGTH), encodeEncryptionContext(context)]));
    expect(Buffer.concat([decipher.update(blob.subarray(94, blob.length - 16)), decipher.final()])).toEqual(plaintext);
  });

  it('a single-Region key still writes version 1, and relabelling a blob to the other version fails', () => {
    const v1 = encrypt({ backingKey, keyId: uuid, keyMaterialId, plaintext, encryptionContext: context });
    expect(v1[1]).toBe(0x01);
    const v2 = encrypt({ backingKey, keyId: mrkId, keyMaterialId, plaintext, encryptionContext: context });
    // Same 16 digits: only the version byte tells the UUID key from the mrk- key, and it is authenticated.
    expect(v1.subarray(2, 18)).toEqual(v2.subarray(2, 18));
    const asV2 = Buffer.from(v1);
    asV2[1] = 0x02;
    expect(parseCiphertext(asV2).keyId).toBe(mrkId);
    expect(() => open(asV2)).toThrow(InvalidCiphertextError);
    const asV1 = Buffer.from(v2);
    asV1[1] = 0x01;
    expect(parseCiphertext(asV1).keyId).toBe(uuid);
    expect(() => open(asV1)).toThrow(InvalidCiphertextError);
  });

  it('a version 1 blob recorded before version 2 existed still decrypts', () => {
    // Made by the version 1 code (before multi-Region keys) with this fixed backing key: it must open forever.
    const fixedKey = createHash('sha256').update('keyledger v1 known answer').digest();
    const recorded = Buffer.from(
      'SwESNKvNEqs0zVbvEjRWeJCrq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6vA3qNP92apAG5LREc+m9cC4kscvl2hAC1Om12J' +
        'yEhLkXKevIHMdBRUCLqN8KYGbIwyw9HU25vN3hjROKIYRaNZYYXsWh7jzxs4fIPqBSBYBQ==',
      'base64',
    );
    const parsed = parseCiphertext(recorded);
    expect(parsed.version).toBe(1);
    expect(parsed.keyId).toBe(uuid);
    expect(decrypt({ backingKey: fixedKey, parsed })).toEqual(plaintext);
  });
});
