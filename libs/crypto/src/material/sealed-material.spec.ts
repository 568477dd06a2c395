import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateBackingKey, openMaterial, sealMaterial, SealedMaterialError } from './sealed-material.js';

const binding = { keyId: randomUUID(), keyMaterialId: randomBytes(32).toString('hex') };

function expectSealedError(fn: () => unknown, secrets: Buffer[]): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SealedMaterialError);
    for (const secret of secrets) {
      expect((error as Error).message).not.toContain(secret.toString('hex'));
      expect((error as Error).message).not.toContain(secret.toString('base64'));
    }
    return;
  }
  throw new Error('expected SealedMaterialError');
}

describe('backing key material sealing', () => {
  it('generates 32 random bytes', () => {
    const a = generateBackingKey();
    expect(a).toHaveLength(32);
    expect(generateBackingKey().equals(a)).toBe(false);
  });

  it('round-trips through base64 without exposing the material', () => {
    const material = generateBackingKey();
    const shredKey = randomBytes(32);
    const sealed = sealMaterial(material, shredKey, binding);
    expect(sealed).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(sealed, 'base64').includes(material)).toBe(false);
    expect(sealed).not.toBe(sealMaterial(material, shredKey, binding));
    expect(openMaterial(sealed, shredKey, { ...binding })).toEqual(material);
  });

  it('cannot be moved to another key or another KeyMaterialId', () => {
    const material = generateBackingKey();
    const shredKey = randomBytes(32);
    const sealed = sealMaterial(material, shredKey, binding);
    expectSealedError(() => openMaterial(sealed, shredKey, { ...binding, keyId: randomUUID() }), [material, shredKey]);
    expectSealedError(
      () => openMaterial(sealed, shredKey, { ...binding, keyMaterialId: randomBytes(32).toString('hex') }),
      [material, shredKey],
    );
  });

  it('fails with a wrong (or destroyed and re-created) shred key', () => {
    const material = generateBackingKey();
    const sealed = sealMaterial(material, randomBytes(32), binding);
    expectSealedError(() => openMaterial(sealed, randomBytes(32), binding), [material]);
  });

  it('fails on any tampering, truncation or malformed base64', () => {
    const material = generateBackingKey();
    const shredKey = randomBytes(32);
    const blob = Buffer.from(sealMaterial(material, shredKey, binding), 'base64');
    for (let i = 0; i < blob.length; i++) {
      const tampered = Buffer.from(blob);
      tampered[i] ^= 0x01;
      expectSealedError(() => openMaterial(tampered.toString('base64'), shredKey, binding), [material, shredKey]);
    }
    for (let length = 0; length < blob.length; length++) {
      expectSealedError(() => openMaterial(blob.subarray(0, length).toString('base64'), shredKey, binding), [material]);
    }
    expectSealedError(() => openMaterial(`${blob.toString('base64')}!`, shredKey, binding), [material]);
    expectSealedError(() => openMaterial(blob.toString('base64url'), shredKey, binding), [material]);
  });

  it('length-prefixes the binding, so shifting characters between fields does not open it', () => {
    const shredKey = randomBytes(32);
    const sealed = sealMaterial(generateBackingKey(), shredKey, { keyId: binding.keyId, keyMaterialId: 'ab' });
    expectSealedError(() => openMaterial(sealed, shredKey, { keyId: binding.keyId, keyMaterialId: 'a' }), []);
  });

  it('rejects bad arguments before doing any work', () => {
    const material = generateBackingKey();
    expect(() => sealMaterial(material, randomBytes(16), binding)).toThrow(RangeError);
    expect(() => sealMaterial(Buffer.alloc(0), randomBytes(32), binding)).toThrow(RangeError);
    expect(() => sealMaterial(material, randomBytes(32), { keyId: 'not-a-uuid', keyMaterialId: 'x' })).toThrow(
      TypeError,
    );
    expect(() => sealMaterial(material, randomBytes(32), { keyId: binding.keyId, keyMaterialId: '' })).toThrow(
      TypeError,
    );
  });
});
