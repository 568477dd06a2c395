import { createDecipheriv, createSecretKey, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CIPHERTEXT_HEADER_LENGTH,
  CIPHERTEXT_OVERHEAD,
  decrypt,
  encodeHeader,
  encrypt,
  keyIdFromCiphertext,
  parseCiphertext,
} from './ciphertext-codec.js';
import { encodeEncryptionContext } from './encryption-context.js';
import { InvalidCiphertextError } from './invalid-ciphertext-error.js';

const keyId = randomUUID();
const keyMaterialId = randomBytes(32).toString('hex');
const backingKey = randomBytes(32);
const context = { purpose: 'test', tenant: 'acme' };

function sample(plaintext = Buffer.from('attack at dawn, bring snacks')): Buffer {
  return encrypt({ backingKey, keyId, keyMaterialId, plaintext, encryptionContext: context });
}

// `null` (not undefined, which would pick the default) means "no context".
function open(blob: Buffer, encryptionContext: Record<string, string> | null = context, key = backingKey): Buffer {
  return decrypt({ backingKey: key, parsed: parseCiphertext(blob), encryptionContext });
}

function expectInvalid(fn: () => unknown): InvalidCiphertextError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCiphertextError);
    return error as InvalidCiphertextError;
  }
  throw new Error('expected InvalidCiphertextError, but nothing was thrown');
}

describe('ciphertext codec', () => {
  it('round-trips and names its key and backing key', () => {
    const plaintext = Buffer.from('attack at dawn, bring snacks');
    const blob = sample(plaintext);
    expect(blob.length).toBe(CIPHERTEXT_OVERHEAD + plaintext.length);
    const parsed = parseCiphertext(blob);
    expect(parsed.version).toBe(1);
    expect(parsed.keyId).toBe(keyId);
    expect(parsed.keyMaterialId).toBe(keyMaterialId);
    expect(keyIdFromCiphertext(blob)).toBe(keyId);
    expect(decrypt({ backingKey, parsed, encryptionContext: context })).toEqual(plaintext);
  });

  it('round-trips empty and 4 KiB plaintexts, and without a context', () => {
    for (const plaintext of [Buffer.alloc(0), randomBytes(4096)]) {
      const blob = encrypt({ backingKey, keyId, keyMaterialId, plaintext });
      expect(open(blob, null)).toEqual(plaintext);
    }
  });

  it('never produces the same ciphertext twice (random salt and IV)', () => {
    const a = sample();
    const b = sample();
    expect(a.subarray(50, CIPHERTEXT_HEADER_LENGTH).equals(b.subarray(50, CIPHERTEXT_HEADER_LENGTH))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('matches the documented construction (independent re-implementation)', () => {
    const plaintext = Buffer.from('known answer');
    const blob = sample(plaintext);
    expect(blob[0]).toBe(0x4b);
    expect(blob[1]).toBe(0x01);
    expect(blob.subarray(2, 18).toString('hex')).toBe(keyId.replaceAll('-', ''));
    expect(blob.subarray(18, 50).toString('hex')).toBe(keyMaterialId);
    const salt = blob.subarray(50, 82);
    const iv = blob.subarray(82, 94);
    const info = Buffer.concat([
      Buffer.from('keyledger/ciphertext/message-key/aes-256-gcm', 'utf8'),
      Buffer.from([0x00, 0x01]),
    ]);
    const messageKey = Buffer.from(hkdfSync('sha256', backingKey, salt, info, 32));
    const decipher = createDecipheriv('aes-256-gcm', messageKey, iv, { authTagLength: 16 });
    decipher.setAuthTag(blob.subarray(blob.length - 16));
    decipher.setAAD(Buffer.concat([blob.subarray(0, 94), encodeEncryptionContext(context)]));
    const opened = Buffer.concat([decipher.update(blob.subarray(94, blob.length - 16)), decipher.final()]);
    expect(opened).toEqual(plaintext);
  });

  it('encodeHeader produces the first 94 bytes of a ciphertext', () => {
    const blob = sample();
    const parsed = parseCiphertext(blob);
    expect(encodeHeader({ keyId, keyMaterialId, salt: parsed.salt, iv: parsed.iv })).toEqual(
      blob.subarray(0, CIPHERTEXT_HEADER_LENGTH),
    );
  });

  it('fails on every single-byte modification (header, salt, iv, body, tag)', () => {
    const blob = sample();
    for (let i = 0; i < blob.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const tampered = Buffer.from(blob);
        tampered[i] ^= mask;
        expectInvalid(() => open(tampered));
      }
    }
  });

  it('fails with InvalidCiphertextError when truncated at every length', () => {
    const blob = sample();
    for (let length = 0; length < blob.length; length++) {
      expectInvalid(() => open(blob.subarray(0, length)));
    }
    expectInvalid(() => parseCiphertext(blob.subarray(0, CIPHERTEXT_OVERHEAD - 1)));
  });

  it('fails when bytes are appended', () => {
    const blob = sample();
    expectInvalid(() => open(Buffer.concat([blob, Buffer.from([0])])));
    expectInvalid(() => open(Buffer.concat([blob, blob])));
  });

  it('reports parse reasons, but says nothing about an authentication failure', () => {
    const blob = sample();
    expect(expectInvalid(() => parseCiphertext(Buffer.alloc(0))).reason).toBe('TOO_SHORT');
    expect(expectInvalid(() => parseCiphertext(blob.subarray(0, 100))).reason).toBe('TOO_SHORT');
    const badMagic = Buffer.from(blob);
    badMagic[0] = 0x01;
    expect(expectInvalid(() => parseCiphertext(badMagic)).reason).toBe('NOT_KEYLEDGER_CIPHERTEXT');
    const badVersion = Buffer.from(blob);
    badVersion[1] = 0x03;
    expect(expectInvalid(() => parseCiphertext(badVersion)).reason).toBe('UNSUPPORTED_VERSION');
    const authFailure = expectInvalid(() => open(blob, { purpose: 'other', tenant: 'acme' }));
    expect(authFailure.reason).toBe('AUTHENTICATION_FAILED');
    expect(authFailure.message).toBe('');
  });

  it('fails with a wrong, missing or extra encryption context', () => {
    const blob = sample();
    expectInvalid(() => open(blob, null));
    expectInvalid(() => open(blob, {}));
    expectInvalid(() => open(blob, { purpose: 'test' }));
    expectInvalid(() => open(blob, { ...context, extra: '' }));
    expectInvalid(() => open(blob, { purpose: 'test', tenant: 'acmE' }));
    expect(open(blob, { tenant: 'acme', purpose: 'test' })).toEqual(Buffer.from('attack at dawn, bring snacks'));
  });

  it('keeps {"a":"bc"} and {"ab":"c"} apart', () => {
    const blob = encrypt({
      backingKey,
      keyId,
      keyMaterialId,
      plaintext: Buffer.from('x'),
      encryptionContext: { a: 'bc' },
    });
    expect(open(blob, { a: 'bc' })).toEqual(Buffer.from('x'));
    expectInvalid(() => open(blob, { ab: 'c' }));
  });

  it('treats an absent context and {} alike', () => {
    const blob = encrypt({ backingKey, keyId, keyMaterialId, plaintext: Buffer.from('x') });
    expect(open(blob, {})).toEqual(Buffer.from('x'));
  });

  it('fails with another backing key', () => {
    expectInvalid(() => open(sample(), context, randomBytes(32)));
  });

  it('rejects key ids that are not lowercase UUIDs and malformed KeyMaterialIds', () => {
    const plaintext = Buffer.from('x');
    for (const badKeyId of [keyId.toUpperCase(), keyId.replaceAll('-', ''), `${keyId}0`, 'alias/foo', '']) {
      expect(() => encrypt({ backingKey, keyId: badKeyId, keyMaterialId, plaintext })).toThrow(TypeError);
    }
    for (const badId of [keyMaterialId.toUpperCase(), keyMaterialId.slice(1), `${keyMaterialId}00`, 'zz'.repeat(32)]) {
      expect(() => encrypt({ backingKey, keyId, keyMaterialId: badId, plaintext })).toThrow(TypeError);
    }
    expect(() => encrypt({ backingKey: randomBytes(16), keyId, keyMaterialId, plaintext })).toThrow(RangeError);
  });

  it('takes the backing key as a KeyObject with the same result as its bytes, and refuses one of another size', () => {
    const plaintext = Buffer.from('same either way');
    const keyObject = createSecretKey(Buffer.from(backingKey));
    const viaObject = encrypt({ backingKey: keyObject, keyId, keyMaterialId, plaintext });
    expect(decrypt({ backingKey, parsed: parseCiphertext(viaObject) })).toEqual(plaintext);
    const viaBytes = encrypt({ backingKey, keyId, keyMaterialId, plaintext });
    expect(decrypt({ backingKey: keyObject, parsed: parseCiphertext(viaBytes) })).toEqual(plaintext);
    expect(() => encrypt({ backingKey: createSecretKey(randomBytes(16)), keyId, keyMaterialId, plaintext })).toThrow(
      RangeError,
    );
  });

  it('does not let a plaintext leak through a pooled output buffer', () => {
    const plaintext = Buffer.alloc(64, 0xaa);
    const blob = encrypt({ backingKey, keyId, keyMaterialId, plaintext });
    expect(blob.includes(plaintext.subarray(0, 16))).toBe(false);
  });
});
