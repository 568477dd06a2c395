import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { parseRequest, parseTarget } from './validation.js';
import { thrownKmsError } from '../testing/thrown-kms-error.js';

const b64 = (n: number, fill = 0x61) => Buffer.alloc(n, fill).toString('base64');

describe('messages recorded against AWS', () => {
  it('Encrypt with 4097 bytes of plaintext (value not echoed)', () => {
    const e = thrownKmsError(() => parseRequest('Encrypt', { KeyId: 'alias/a', Plaintext: b64(4097) }));
    expect(e.type).toBe('ValidationException');
    expect(e.statusCode).toBe(400);
    expect(e.message).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
  });

  it('Encrypt with exactly 4096 bytes passes', () => {
    const { input } = parseRequest('Encrypt', { KeyId: 'alias/a', Plaintext: b64(4096) });
    expect(input.Plaintext.length).toBe(4096);
  });

  it('GenerateRandom NumberOfBytes missing, 0, 1025', () => {
    const missing = thrownKmsError(() => parseRequest('GenerateRandom', {}));
    expect([missing.type, missing.message]).toEqual(['ValidationException', 'NumberOfBytes is required.']);
    expect(thrownKmsError(() => parseRequest('GenerateRandom', { NumberOfBytes: 0 })).message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(thrownKmsError(() => parseRequest('GenerateRandom', { NumberOfBytes: 1025 })).message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
    expect(parseRequest('GenerateRandom', { NumberOfBytes: 1024 }).input).toEqual({ NumberOfBytes: 1024 });
  });

  it('CreateKey with KeyUsage RANDOM', () => {
    const e = thrownKmsError(() => parseRequest('CreateKey', { KeyUsage: 'RANDOM' }));
    expect(e.type).toBe('ValidationException');
    expect(e.message).toBe(
      "1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT]",
    );
  });

  it('ImportKeyMaterial KEY_MATERIAL_EXPIRES without ValidTo', () => {
    const e = thrownKmsError(() =>
      parseRequest('ImportKeyMaterial', {
        KeyId: 'k',
        ImportToken: b64(10),
        EncryptedKeyMaterial: b64(10),
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      }),
    );
    expect([e.type, e.message]).toEqual([
      'ValidationException',
      'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
    ]);
  });
});

describe('model constraints', () => {
  it('counts several violations, in model order', () => {
    const e = thrownKmsError(() => parseRequest('Encrypt', { Plaintext: '', EncryptionAlgorithm: 'AES' }));
    expect(e.message).toBe(
      '3 validation errors detected: ' +
        "Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
        "Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value 'AES' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
    );
  });

  it('checks AliasName against its pattern (the alias/ prefix is the domain’s rule)', () => {
    expect(parseRequest('CreateAlias', { AliasName: 'no-prefix', TargetKeyId: 'k' }).input.AliasName).toBe('no-prefix');
    const e = thrownKmsError(() => parseRequest('CreateAlias', { AliasName: 'alias/bad name', TargetKeyId: 'k' }));
    expect(e.message).toBe(
      "1 validation error detected: Value 'alias/bad name' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
    );
    const empty = thrownKmsError(() => parseRequest('DeleteAlias', { AliasName: '' }));
    expect(empty.message).toMatch(
      /^2 validation errors detected: .*regular expression pattern.*; .*greater than or equal to 1$/,
    );
  });

  it('checks KeyMaterialId: 64 lower-case hex characters', () => {
    const ok = 'ab'.repeat(32);
    expect(parseRequest('DeleteImportedKeyMaterial', { KeyId: 'k', KeyMaterialId: ok }).input.KeyMaterialId).toBe(ok);
    expect(
      thrownKmsError(() => parseRequest('DeleteImportedKeyMaterial', { KeyId: 'k', KeyMaterialId: 'AB'.repeat(32) }))
        .message,
    ).toBe(
      `1 validation error detected: Value '${'AB'.repeat(32)}' at 'keyMaterialId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-f0-9]+$`,
    );
    expect(
      thrownKmsError(() => parseRequest('DeleteImportedKeyMaterial', { KeyId: 'k', KeyMaterialId: 'a'.repeat(63) }))
        .message,
    ).toMatch(/Member must have length greater than or equal to 64$/);
  });

  it('validates list lengths, scalar list members, and nested structures with AWS paths', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`);
    expect(thrownKmsError(() => parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: eleven })).message).toBe(
      `1 validation error detected: Value '[${eleven.join(', ')}]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10`,
    );
    expect(thrownKmsError(() => parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: ['a', ''] })).message).toBe(
      "1 validation error detected: Value '[a, ]' at 'grantTokens' failed to satisfy constraint: Member must satisfy constraint: [Member must have length greater than or equal to 1]",
    );
    expect(
      thrownKmsError(() =>
        parseRequest('TagResource', {
          KeyId: 'k',
          Tags: [
            { TagKey: 'a', TagValue: 'b' },
            { TagKey: '', TagValue: 'c' },
          ],
        }),
      ).message,
    ).toBe(
      "1 validation error detected: Value '' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(thrownKmsError(() => parseRequest('TagResource', { KeyId: 'k', Tags: [{ TagKey: 'a' }] })).message).toBe(
      "1 validation error detected: Value null at 'tags.1.member.tagValue' failed to satisfy constraint: Member must not be null",
    );
    expect(
      thrownKmsError(() => parseRequest('Decrypt', { CiphertextBlob: b64(8), DryRunModifiers: ['NOPE'] })).message,
    ).toBe(
      "1 validation error detected: Value '[NOPE]' at 'dryRunModifiers' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [IGNORE_CIPHERTEXT]]",
    );
  });

  it('anchors model patterns that are not anchored in the model', () => {
    expect(thrownKmsError(() => parseRequest('GetKeyPolicy', { KeyId: 'k', PolicyName: 'default!' })).message).toMatch(
      /Value 'default!' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\]\+$/,
    );
    expect(parseRequest('GetKeyPolicy', { KeyId: 'k', PolicyName: 'default' }).input.PolicyName).toBe('default');
  });
});

describe('serialisation errors', () => {
  it('refuses bodies that are not JSON objects', () => {
    for (const body of [[], 'x', '[1]', 'null', 42, null, '{"KeyId":', Buffer.from('nope')]) {
      expect(thrownKmsError(() => parseRequest('DescribeKey', body)).type).toBe('SerializationException');
    }
  });

  it('treats a missing or empty body as {}', () => {
    expect(parseRequest('ListKeys', undefined).input).toEqual({});
    expect(parseRequest('ListKeys', '').input).toEqual({});
    expect(parseRequest('ListKeys', Buffer.from('{"Limit":5}')).input).toEqual({ Limit: 5 });
  });

  it('refuses wrong JSON types for members', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['DescribeKey', { KeyId: 123 }, /^NUMBER_VALUE cannot be converted to String \(at 'keyId'\)\.$/],
      ['DescribeKey', { KeyId: { a: 1 } }, /^Start of structure or map found where not expected/],
      ['DescribeKey', { KeyId: ['k'] }, /^Start of list found where not expected/],
      ['ListKeys', { Limit: '10' }, /^STRING_VALUE cannot be converted to Integer/],
      ['ListKeys', { Limit: 1.5 }, /^NUMBER_VALUE cannot be converted to Integer/],
      ['Encrypt', { KeyId: 'k', Plaintext: 12 }, /^NUMBER_VALUE cannot be converted to Blob/],
      ['Encrypt', { KeyId: 'k', Plaintext: 'aGk=', DryRun: 'true' }, /^STRING_VALUE cannot be converted to Boolean/],
      [
        'Encrypt',
        { KeyId: 'k', Plaintext: 'aGk=', EncryptionContext: { a: 1 } },
        /^NUMBER_VALUE cannot be converted to String/,
      ],
      [
        'Encrypt',
        { KeyId: 'k', Plaintext: 'aGk=', EncryptionContext: 'a=b' },
        /^STRING_VALUE cannot be converted to Map/,
      ],
      ['DescribeKey', { KeyId: 'k', GrantTokens: 't' }, /^STRING_VALUE cannot be converted to List/],
      [
        'DescribeKey',
        { KeyId: 'k', GrantTokens: [1] },
        /^NUMBER_VALUE cannot be converted to String \(at 'grantTokens.1.member'\)/,
      ],
      [
        'TagResource',
        { KeyId: 'k', Tags: { TagKey: 'a', TagValue: 'b' } },
        /^Start of structure or map found where not expected/,
      ],
      [
        'ImportKeyMaterial',
        { KeyId: 'k', ImportToken: 'aGk=', EncryptedKeyMaterial: 'aGk=', ValidTo: '2026-01-01' },
        /^STRING_VALUE cannot be converted to Timestamp/,
      ],
    ];
    for (const [op, body, message] of cases) {
      const e = thrownKmsError(() => parseRequest(op, body));
      expect(e.type, JSON.stringify(body)).toBe('SerializationException');
      expect(e.message, JSON.stringify(body)).toMatch(message);
    }
  });

  it('refuses blobs that are not canonical padded base64', () => {
    for (const bad of ['aGk', 'aGk=\n', 'a Gk=', 'aG!=', '-_8=', 'aGk==', '====', 'aGl=', 'QR==', 'aGVsbG8=aGk=']) {
      const e = thrownKmsError(() => parseRequest('Decrypt', { CiphertextBlob: bad }));
      expect(e.type, bad).toBe('SerializationException');
      expect(e.message).toMatch(/^Invalid base64 \(at 'ciphertextBlob'\)/);
      expect(e.message).not.toContain(bad);
    }
    expect(parseRequest('Decrypt', { CiphertextBlob: 'aGk=' }).input.CiphertextBlob).toEqual(Buffer.from('hi'));
    expect(parseRequest('Decrypt', { CiphertextBlob: 'aGVsbG8=' }).input.CiphertextBlob).toEqual(Buffer.from('hello'));
    expect(parseRequest('Decrypt', { CiphertextBlob: '+/+/' }).input.CiphertextBlob).toEqual(
      Buffer.from([0xfb, 0xff, 0xbf]),
    );
  });
});

describe('operations and parsed input', () => {
  it('UnknownOperationException for operations Keyledger does not serve', () => {
    const e = thrownKmsError(() => parseRequest('CreateCustomKeyStore', {}));
    expect([e.type, e.message, e.statusCode]).toEqual([
      'UnknownOperationException',
      'Operation CreateCustomKeyStore is not supported.',
      400,
    ]);
    expect(thrownKmsError(() => parseRequest('toString', {})).type).toBe('UnknownOperationException');
    expect(thrownKmsError(() => parseRequest('__proto__', {})).type).toBe('UnknownOperationException');
    expect(thrownKmsError(() => parseRequest('<script>', {})).message).toBe('Operation <invalid> is not supported.');
  });

  it('parseTarget reads X-Amz-Target', () => {
    expect(parseTarget('TrentService.Decrypt')).toBe('Decrypt');
    expect(thrownKmsError(() => parseTarget('DynamoDB_20120810.GetItem')).type).toBe('UnknownOperationException');
    expect(thrownKmsError(() => parseTarget('TrentService.CreateCustomKeyStore')).type).toBe(
      'UnknownOperationException',
    );
    expect(parseTarget('TrentService.ReplicateKey')).toBe('ReplicateKey');
    expect(thrownKmsError(() => parseTarget(undefined)).type).toBe('UnknownOperationException');
  });

  it('returns AWS-named members, Buffers, Dates; drops unknown and null members', () => {
    const { operation, input } = parseRequest('ImportKeyMaterial', {
      KeyId: 'k',
      ImportToken: 'aGk=',
      EncryptedKeyMaterial: 'aGVsbG8=',
      ValidTo: 1767225600.5,
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      KeyMaterialDescription: null,
      Surprise: 'ignored',
    });
    expect(operation).toBe('ImportKeyMaterial');
    expect(input).toEqual({
      KeyId: 'k',
      ImportToken: Buffer.from('hi'),
      EncryptedKeyMaterial: Buffer.from('hello'),
      ValidTo: new Date('2026-01-01T00:00:00.500Z'),
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
    });
    expect(Object.keys(input)).not.toContain('Surprise');
    expect(Object.keys(input)).not.toContain('KeyMaterialDescription');
  });

  it('keeps every encryption context pair, "__proto__" included', () => {
    const body = JSON.parse('{"KeyId":"k","Plaintext":"aGk=","EncryptionContext":{"__proto__":"x","a":"b"}}');
    const { input } = parseRequest('Encrypt', body);
    expect(Object.keys(input.EncryptionContext!)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(input.EncryptionContext)).toBe(Object.prototype);
  });
});
