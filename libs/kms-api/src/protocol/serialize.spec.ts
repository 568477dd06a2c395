import { describe, expect, it } from 'vitest';
import { serializeResponse } from './serialize.js';

describe('serializeResponse', () => {
  it('writes blobs as base64, dates as epoch seconds, drops undefined, recursively', () => {
    const json = serializeResponse({
      CiphertextBlob: Buffer.from('hello'),
      Plaintext: new Uint8Array([1, 2, 3]),
      KeyId: 'arn:aws:kms:us-east-1:111122223333:key/k',
      Missing: undefined,
      KeyMetadata: {
        CreationDate: new Date('2026-01-01T00:00:00.250Z'),
        DeletionDate: undefined,
        Enabled: true,
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      },
      Rotations: [{ RotationDate: new Date(1767225600000), KeyMaterialId: 'ab' }],
    });
    expect(JSON.parse(json)).toEqual({
      CiphertextBlob: 'aGVsbG8=',
      Plaintext: 'AQID',
      KeyId: 'arn:aws:kms:us-east-1:111122223333:key/k',
      KeyMetadata: { CreationDate: 1767225600.25, Enabled: true, EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] },
      Rotations: [{ RotationDate: 1767225600, KeyMaterialId: 'ab' }],
    });
    expect(json).not.toContain('Missing');
  });

  it('encodes a Buffer that is a slice of a larger one by its own bytes', () => {
    const big = Buffer.from('xxhelloxx');
    expect(JSON.parse(serializeResponse({ B: big.subarray(2, 7) })).B).toBe('aGVsbG8=');
    const u8 = new Uint8Array(big.buffer, big.byteOffset + 2, 5);
    expect(JSON.parse(serializeResponse({ B: u8 })).B).toBe('aGVsbG8=');
  });

  it('leaves the output it is given as it was: blobs and dates are replaced in copies', () => {
    const blob = Buffer.from('hello');
    const when = new Date(1767225600000);
    const output = { A: blob, Nested: { When: when, Same: 'x' }, List: [blob, 'y'] };
    expect(JSON.parse(serializeResponse(output))).toEqual({
      A: 'aGVsbG8=',
      Nested: { When: 1767225600, Same: 'x' },
      List: ['aGVsbG8=', 'y'],
    });
    expect(output.A).toBe(blob);
    expect(output.Nested.When).toBe(when);
    expect(output.List[0]).toBe(blob);
  });

  it('writes an empty object for operations without output', () => {
    expect(serializeResponse(undefined)).toBe('{}');
    expect(serializeResponse(null)).toBe('{}');
    expect(serializeResponse({})).toBe('{}');
  });

  it('writes a null member as null, in objects and lists', () => {
    expect(serializeResponse({ A: null, L: [null, new Date(1000)] })).toBe('{"A":null,"L":[null,1]}');
  });

  it('leaves an object with its own JSON form to it, blobs and dates inside included', () => {
    class Custom {
      readonly when = new Date(0);
      toJSON(): string {
        return 'custom';
      }
    }
    expect(serializeResponse({ C: new Custom() })).toBe('{"C":"custom"}');
  });
});
