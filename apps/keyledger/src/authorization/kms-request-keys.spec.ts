import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encrypt } from '@keyledger/crypto';
import { DECIDED_BY_GRANT, namedKeys } from './kms-request-keys.js';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER = '0987dcba-09ba-87dc-65fe-ba0987654321';

function ciphertextUnder(keyId: string): Buffer {
  return encrypt({ keyId, keyMaterialId: 'a'.repeat(64), backingKey: randomBytes(32), plaintext: Buffer.from('x') });
}

describe('namedKeys: the keys a KMS request is authorised on', () => {
  it('most operations: the KeyId as given', () => {
    expect(namedKeys('Encrypt', { KeyId: 'alias/app' })).toEqual({ key: 'alias/app' });
    expect(namedKeys('ListKeys', {})).toEqual({ key: undefined });
    expect(namedKeys('DescribeKey', { KeyId: '' })).toEqual({ key: undefined });
  });

  it('Decrypt: its KeyId, else the key its ciphertext names; a foreign ciphertext names none', () => {
    const blob = ciphertextUnder(KEY);
    expect(namedKeys('Decrypt', { CiphertextBlob: blob })).toEqual({ key: KEY });
    expect(namedKeys('Decrypt', { CiphertextBlob: blob, KeyId: OTHER })).toEqual({ key: OTHER });
    expect(namedKeys('Decrypt', { CiphertextBlob: Buffer.from('not ours') })).toEqual({ key: undefined });
  });

  it('ReEncrypt: the source (given, or from the ciphertext) and the destination', () => {
    const blob = ciphertextUnder(KEY);
    expect(namedKeys('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: OTHER })).toEqual({
      key: KEY,
      otherKey: OTHER,
    });
    expect(namedKeys('ReEncrypt', { CiphertextBlob: blob, SourceKeyId: OTHER, DestinationKeyId: KEY })).toEqual({
      key: OTHER,
      otherKey: KEY,
    });
  });

  it('aliases: CreateAlias the target; UpdateAlias the alias (its target) and the new target; DeleteAlias the alias', () => {
    expect(namedKeys('CreateAlias', { AliasName: 'alias/a', TargetKeyId: KEY })).toEqual({ key: KEY });
    expect(namedKeys('UpdateAlias', { AliasName: 'alias/a', TargetKeyId: OTHER })).toEqual({
      keyOfAlias: 'alias/a',
      otherKey: OTHER,
    });
    expect(namedKeys('DeleteAlias', { AliasName: 'alias/a' })).toEqual({ keyOfAlias: 'alias/a' });
    expect(namedKeys('DeleteAlias', { AliasName: 'a' })).toEqual({ keyOfAlias: undefined });
  });

  it('RetireGrant alone is decided by its grant', () => {
    expect([...DECIDED_BY_GRANT]).toEqual(['RetireGrant']);
  });
});
