import { describe, expect, it } from 'vitest';
import { encodeHeader } from '@keyledger/crypto';
import { keysUsed, keyTried } from './usage-observations.js';

const SCOPE = { region: 'us-east-1', accountId: '111122223333' };
const K1 = '1234abcd-12ab-34cd-56ef-1234567890ab';
const K2 = 'aaaabbbb-12ab-34cd-56ef-1234567890ab';
const arn = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;

describe('keysUsed: which keys a successful operation used', () => {
  it('given Decrypt, then its key and backing key', () => {
    expect(keysUsed('Decrypt', { KeyId: arn(K1), KeyMaterialId: 'm1', Plaintext: Buffer.alloc(1) })).toEqual([
      { keyId: K1, keyMaterialId: 'm1' },
    ]);
  });
  it('given ReEncrypt, then both keys, each with its own backing key', () => {
    const output = { SourceKeyId: arn(K1), SourceKeyMaterialId: 's', KeyId: arn(K2), DestinationKeyMaterialId: 'd' };
    expect(keysUsed('ReEncrypt', output)).toEqual([
      { keyId: K1, keyMaterialId: 's' },
      { keyId: K2, keyMaterialId: 'd' },
    ]);
  });
  it('given Sign, which names no backing key, then the key alone', () => {
    expect(keysUsed('Sign', { KeyId: arn(K1) })).toEqual([{ keyId: K1, keyMaterialId: null }]);
  });
  it('given an operation that uses no key, then none', () => {
    expect(keysUsed('GenerateRandom', { Plaintext: Buffer.alloc(1) })).toEqual([]);
    expect(keysUsed('DescribeKey', { KeyMetadata: {} })).toEqual([]);
  });
});

describe('keyTried: which key a refused request tried to use', () => {
  it('given a key id or key ARN, then that key', () => {
    expect(keyTried('Encrypt', { KeyId: K1 }, SCOPE)).toEqual({ keyId: K1, keyMaterialId: null });
    expect(keyTried('Sign', { KeyId: arn(K2) }, SCOPE)).toEqual({ keyId: K2, keyMaterialId: null });
    expect(keyTried('ReEncrypt', { SourceKeyId: K2, KeyId: K1 }, SCOPE)).toEqual({ keyId: K2, keyMaterialId: null });
  });
  it('given an alias or a malformed id, then no key', () => {
    expect(keyTried('Encrypt', { KeyId: 'alias/x' }, SCOPE)).toBeUndefined();
    expect(keyTried('Encrypt', { KeyId: 'nope' }, SCOPE)).toBeUndefined();
  });
  it('given a Decrypt without KeyId, then the key and backing key its ciphertext names', () => {
    const material = 'ab'.repeat(32);
    const header = encodeHeader({ keyId: K1, keyMaterialId: material, salt: Buffer.alloc(32), iv: Buffer.alloc(12) });
    const blob = Buffer.concat([header, Buffer.alloc(16)]);
    expect(keyTried('Decrypt', { CiphertextBlob: blob }, SCOPE)).toEqual({ keyId: K1, keyMaterialId: material });
    expect(keyTried('Decrypt', { CiphertextBlob: Buffer.from('junk') }, SCOPE)).toBeUndefined();
  });
  it('given an operation that is not tracked, then nothing', () => {
    expect(keyTried('DescribeKey', { KeyId: K1 }, SCOPE)).toBeUndefined();
  });
});
