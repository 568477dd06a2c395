import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatedKeyMaterialId, importedKeyMaterialId } from './key-material-id.js';

describe('KeyMaterialId', () => {
  it('generated ids are 64 lowercase hex and unique', () => {
    const ids = new Set(Array.from({ length: 100 }, () => generatedKeyMaterialId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('imported ids are deterministic per key and material', () => {
    const keyId = randomUUID();
    const material = randomBytes(32);
    const id = importedKeyMaterialId(keyId, material);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(importedKeyMaterialId(keyId, Buffer.from(material))).toBe(id);
    expect(importedKeyMaterialId(keyId, randomBytes(32))).not.toBe(id);
    expect(importedKeyMaterialId(randomUUID(), material)).not.toBe(id);
  });

  it('is the documented HMAC and does not contain the material', () => {
    const keyId = randomUUID();
    const material = randomBytes(32);
    const expected = createHmac('sha256', material)
      .update(`keyledger/imported-key-material-id/v1\0${keyId}`)
      .digest('hex');
    const id = importedKeyMaterialId(keyId, material);
    expect(id).toBe(expected);
    expect(id).not.toContain(material.toString('hex').slice(0, 16));
  });

  it('rejects a non-UUID key id and empty material', () => {
    expect(() => importedKeyMaterialId('KEY', randomBytes(32))).toThrow(TypeError);
    expect(() => importedKeyMaterialId(randomUUID(), Buffer.alloc(0))).toThrow(RangeError);
    // Every other length names material of some spec (HMAC keys, private keys).
    for (const length of [1, 28, 31, 33, 64, 1217])
      expect(importedKeyMaterialId(randomUUID(), randomBytes(length))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('K and K‖00 (the same HMAC key, zero-padded) never share an id', () => {
    const keyId = randomUUID();
    for (const k of [randomBytes(32), randomBytes(28), randomBytes(48)]) {
      const padded = Buffer.concat([k, Buffer.alloc(1)]);
      expect(importedKeyMaterialId(keyId, padded)).not.toBe(importedKeyMaterialId(keyId, k));
      expect(importedKeyMaterialId(keyId, k.subarray(0, k.length - 1))).not.toBe(importedKeyMaterialId(keyId, k));
    }
  });
});
