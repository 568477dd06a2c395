import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openMaterial, sealMaterial, SealedMaterialError } from './sealed-material.js';

/*
 * The bounds of sealed material on both sides, and every refusal by its text: a caller that
 * passes the wrong thing learns which argument, and no secret.
 */
const binding = { keyId: randomUUID(), keyMaterialId: 'material-1' };

/** The AAD of the documented format: version || domain || u32 len || keyId || u32 len || keyMaterialId. */
function aadOf(keyId: string, keyMaterialId: string): Buffer {
  const field = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  return Buffer.concat([
    Buffer.from([1]),
    Buffer.from('keyledger/sealed-material/v1\0', 'utf8'),
    field(keyId),
    field(keyMaterialId),
  ]);
}

describe('sealed material bounds', () => {
  it('seals and opens material of 1 byte and of the 16 KiB maximum, and refuses one byte more', () => {
    const shredKey = randomBytes(32);
    for (const length of [1, 16 * 1024]) {
      const material = randomBytes(length);
      expect(openMaterial(sealMaterial(material, shredKey, binding), shredKey, binding)).toEqual(material);
    }
    expect(() => sealMaterial(randomBytes(16 * 1024 + 1), shredKey, binding)).toThrow(
      new RangeError('material must be 1 to 16384 bytes'),
    );
    expect(() => sealMaterial('text' as unknown as Buffer, shredKey, binding)).toThrow(
      new RangeError('material must be 1 to 16384 bytes'),
    );
  });

  it('never opens a well-formed blob with an empty body: sealed material is never empty', () => {
    // Made by hand with the right key and binding, so only the length rule refuses it.
    const shredKey = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', shredKey, iv, { authTagLength: 16 });
    cipher.setAAD(aadOf(binding.keyId, binding.keyMaterialId));
    const body = Buffer.concat([cipher.update(Buffer.alloc(0)), cipher.final()]);
    const blob = Buffer.concat([Buffer.from([1]), iv, body, cipher.getAuthTag()]);
    expect(blob).toHaveLength(29);
    expect(() => openMaterial(blob.toString('base64'), shredKey, binding)).toThrow(SealedMaterialError);
    // The same construction with one byte of material opens: the AAD above is the real one.
    const cipher2 = createCipheriv('aes-256-gcm', shredKey, iv, { authTagLength: 16 });
    cipher2.setAAD(aadOf(binding.keyId, binding.keyMaterialId));
    const body2 = Buffer.concat([cipher2.update(Buffer.from([7])), cipher2.final()]);
    const blob2 = Buffer.concat([Buffer.from([1]), iv, body2, cipher2.getAuthTag()]);
    expect(openMaterial(blob2.toString('base64'), shredKey, binding)).toEqual(Buffer.from([7]));
  });

  it('refuses sealed material that is not a string as unopenable, not with a crash', () => {
    const shredKey = randomBytes(32);
    const sealed = sealMaterial(randomBytes(32), shredKey, binding);
    expect(() => openMaterial(Buffer.from(sealed) as unknown as string, shredKey, binding)).toThrow(
      SealedMaterialError,
    );
    // A symbol cannot even be turned into text: still unopenable, not a TypeError.
    expect(() => openMaterial(Symbol(sealed) as unknown as string, shredKey, binding)).toThrow(SealedMaterialError);
  });

  it('names what failed when it cannot open, and nothing it holds', () => {
    const shredKey = randomBytes(32);
    const sealed = sealMaterial(randomBytes(32), shredKey, binding);
    let failure: unknown;
    try {
      openMaterial(sealed, randomBytes(32), binding);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(SealedMaterialError);
    expect((failure as Error).name).toBe('SealedMaterialError');
    expect((failure as Error).message).toBe(
      'sealed key material cannot be opened: it is corrupt, bound to another key or material id, or its shred key ' +
        'is wrong',
    );
  });
});

describe('sealed material argument refusals', () => {
  const material = randomBytes(32);
  const shredKey = randomBytes(32);
  const sealed = sealMaterial(material, shredKey, binding);

  it.each([
    ['16 bytes', randomBytes(16)],
    ['33 bytes', randomBytes(33)],
    ['not a Buffer', new Uint8Array(32)],
  ])('refuses a shred key of %s, to seal and to open', (_name, key) => {
    const refusal = new RangeError('shred key must be 32 bytes');
    expect(() => sealMaterial(material, key as Buffer, binding)).toThrow(refusal);
    expect(() => openMaterial(sealed, key as Buffer, binding)).toThrow(refusal);
  });

  it.each([null, undefined, 'key', 7])('refuses a binding that is not an object (%j)', (bad) => {
    const refusal = new TypeError('a material binding is required');
    expect(() => sealMaterial(material, shredKey, bad as never)).toThrow(refusal);
    expect(() => openMaterial(sealed, shredKey, bad as never)).toThrow(refusal);
  });

  it('refuses a binding whose key id is not a lowercase UUID, or whose material id is empty or ill-formed', () => {
    expect(() => openMaterial(sealed, shredKey, { keyId: binding.keyId.toUpperCase(), keyMaterialId: 'm' })).toThrow(
      new TypeError('binding.keyId must be a lowercase UUID'),
    );
    for (const keyMaterialId of ['', 'm\ud800', 5 as unknown as string])
      expect(() => sealMaterial(material, shredKey, { keyId: binding.keyId, keyMaterialId })).toThrow(
        new TypeError('binding.keyMaterialId must be a non-empty, well-formed string'),
      );
  });
});
