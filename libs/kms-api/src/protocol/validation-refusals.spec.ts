import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { OPERATION_NAMES, OPERATIONS } from './operations.js';
import { fieldsOf } from './shapes.js';
import { parseRequest } from './validation.js';
import { thrownKmsError } from '../testing/thrown-kms-error.js';

const LONE = '\ud800';
const blob = Buffer.from('ciphertext').toString('base64');

describe('one rule for lone UTF-16 surrogates: refused in every string member (issue 11, point 2)', () => {
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    [
      'Encrypt',
      'a context value',
      { KeyId: 'k', Plaintext: blob, EncryptionContext: { a: LONE } },
      'encryptionContext.value',
    ],
    [
      'Encrypt',
      'a context key',
      { KeyId: 'k', Plaintext: blob, EncryptionContext: { [LONE]: 'a' } },
      'encryptionContext.key',
    ],
    [
      'Decrypt',
      'a context value',
      { CiphertextBlob: blob, EncryptionContext: { a: `x${LONE}` } },
      'encryptionContext.value',
    ],
    [
      'GenerateDataKey',
      'a context value',
      { KeyId: 'k', NumberOfBytes: 32, EncryptionContext: { a: LONE } },
      'encryptionContext.value',
    ],
    [
      'GenerateDataKeyWithoutPlaintext',
      'a context value',
      { KeyId: 'k', NumberOfBytes: 32, EncryptionContext: { a: '\udfff' } },
      'encryptionContext.value',
    ],
    [
      'ReEncrypt',
      'the source context',
      { CiphertextBlob: blob, DestinationKeyId: 'k', SourceEncryptionContext: { a: LONE } },
      'sourceEncryptionContext.value',
    ],
    [
      'ReEncrypt',
      'the destination context',
      { CiphertextBlob: blob, DestinationKeyId: 'k', DestinationEncryptionContext: { a: LONE } },
      'destinationEncryptionContext.value',
    ],
    ['CreateKey', 'the description', { Description: `d${LONE}` }, 'description'],
    ['CreateKey', 'a tag value', { Tags: [{ TagKey: 'k', TagValue: LONE }] }, 'tags.1.member.tagValue'],
    ['TagResource', 'a tag key', { KeyId: 'k', Tags: [{ TagKey: LONE, TagValue: 'v' }] }, 'tags.1.member.tagKey'],
    ['UntagResource', 'a tag key in a list', { KeyId: 'k', TagKeys: ['a', LONE] }, 'tagKeys.2.member'],
    ['DescribeKey', 'a key id', { KeyId: LONE }, 'keyId'],
    ['Encrypt', 'a grant token', { KeyId: 'k', Plaintext: blob, GrantTokens: [LONE] }, 'grantTokens.1.member'],
  ];

  it.each(cases)(
    '%s with a lone surrogate in %s is a ValidationException naming the member',
    (op, _what, body, path) => {
      const e = thrownKmsError(() => parseRequest(op, body));
      expect(e.type).toBe('ValidationException');
      expect(e.statusCode).toBe(400);
      expect(e.message).toContain(`at '${path}' failed to satisfy constraint: Member must be well-formed Unicode`);
    },
  );

  it('the same rule from raw JSON text with a \\ud800 escape', () => {
    const e = thrownKmsError(() =>
      parseRequest('Encrypt', '{"KeyId":"k","Plaintext":"YQ==","EncryptionContext":{"a":"\\ud800"}}'),
    );
    expect(e.type).toBe('ValidationException');
  });

  it('well-formed text, surrogate pairs included, passes', () => {
    const { input } = parseRequest('Encrypt', {
      KeyId: 'k',
      Plaintext: blob,
      EncryptionContext: { '🔑': 'ünïcødé 😀' },
      GrantTokens: ['t😀'],
    });
    expect(input.EncryptionContext).toEqual({ '🔑': 'ünïcødé 😀' });
  });

  it('a lone surrogate is counted with the other violations', () => {
    const e = thrownKmsError(() => parseRequest('CreateKey', { Description: LONE, KeyUsage: 'NOPE' }));
    expect(e.message).toMatch(/^2 validation errors detected: /);
  });
});

describe('members Keyledger does not honour are refused, not ignored (issue 11, points 3 and 4)', () => {
  const recipient = { AttestationDocument: blob, KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' };
  const withRecipient = OPERATION_NAMES.filter((op) =>
    fieldsOf(OPERATIONS[op].request).some((f) => f.wireName === 'Recipient'),
  );

  it('the model gives Recipient to Decrypt, GenerateDataKey and GenerateRandom', () => {
    expect(withRecipient).toEqual(expect.arrayContaining(['Decrypt', 'GenerateDataKey', 'GenerateRandom']));
  });

  const minimal: Record<string, Record<string, unknown>> = {
    Decrypt: { CiphertextBlob: blob },
    GenerateDataKey: { KeyId: 'k', KeySpec: 'AES_256' },
    GenerateRandom: { NumberOfBytes: 32 },
    GenerateDataKeyPair: { KeyId: 'k', KeyPairSpec: 'RSA_2048' },
    DeriveSharedSecret: { KeyId: 'k', KeyAgreementAlgorithm: 'ECDH', PublicKey: blob },
  };

  it.each(withRecipient)('%s with a Recipient is UnsupportedOperationException saying why', (op) => {
    const body = { ...(minimal[op] ?? {}), Recipient: recipient };
    const e = thrownKmsError(() => parseRequest(op, body));
    expect(e.type).toBe('UnsupportedOperationException');
    expect(e.message).toMatch(/attestation/);
    expect(e.message).toMatch(/plaintext/);
    // Without it, the same request parses.
    expect(() => parseRequest(op, minimal[op] ?? {})).not.toThrow();
  });

  it('a Recipient explicitly null counts as absent', () => {
    expect(() => parseRequest('GenerateRandom', { NumberOfBytes: 8, Recipient: null })).not.toThrow();
  });

  it('a Recipient that breaks the model is a ValidationException first, as AWS orders them', () => {
    const e = thrownKmsError(() =>
      parseRequest('GenerateRandom', { NumberOfBytes: 8, Recipient: { KeyEncryptionAlgorithm: 'X' } }),
    );
    expect(e.type).toBe('ValidationException');
  });

  it('CreateKey with a Policy passes the protocol: the key policy decider judges the document', () => {
    const policy = '{"Version":"2012-10-17","Statement":[]}';
    expect(parseRequest('CreateKey', { Policy: policy, BypassPolicyLockoutSafetyCheck: true }).input).toMatchObject({
      Policy: policy,
      BypassPolicyLockoutSafetyCheck: true,
    });
  });
});
