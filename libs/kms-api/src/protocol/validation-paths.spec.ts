import { describe, expect, it } from 'vitest';
import { parseRequest } from './validation.js';
import { wireError, serializationError, validationError } from '../testing/thrown-kms-error.js';

// The request parser's paths the other specs leave out: each JSON type in each kind of member, the order AWS lists
// a string's violations in, and the parser's state from one request to the next. Every refusal by its exact text.
const encrypt = (over: Record<string, unknown>) => () =>
  parseRequest('Encrypt', { KeyId: 'k', Plaintext: 'aGk=', ...over });

describe('each JSON type where another is expected', () => {
  it('given an object, a list, null or a number in a string member, then each is named as AWS names it', () => {
    expect(wireError(encrypt({ KeyId: { a: 1 } }))).toEqual(
      serializationError("Start of structure or map found where not expected (at 'keyId')."),
    );
    expect(wireError(encrypt({ KeyId: ['k'] }))).toEqual(
      serializationError("Start of list found where not expected (at 'keyId')."),
    );
    expect(wireError(encrypt({ KeyId: 7 }))).toEqual(
      serializationError("NUMBER_VALUE cannot be converted to String (at 'keyId')."),
    );
  });

  it('given null or an object as a map value, then the value is named by its key', () => {
    expect(wireError(encrypt({ EncryptionContext: { a: null } }))).toEqual(
      serializationError("VALUE cannot be converted to String (at 'encryptionContext.a')."),
    );
    expect(wireError(encrypt({ EncryptionContext: { a: 'x', b: { c: 'd' } } }))).toEqual(
      serializationError("Start of structure or map found where not expected (at 'encryptionContext.b')."),
    );
  });

  it('given text, a number or true where a boolean, a timestamp or a blob is expected, then the type is named', () => {
    expect(wireError(encrypt({ DryRun: 'true' }))).toEqual(
      serializationError("STRING_VALUE cannot be converted to Boolean (at 'dryRun')."),
    );
    expect(wireError(encrypt({ Plaintext: 5 }))).toEqual(
      serializationError("NUMBER_VALUE cannot be converted to Blob (at 'plaintext')."),
    );
    expect(wireError(encrypt({ Plaintext: true }))).toEqual(
      serializationError("TRUE_VALUE cannot be converted to Blob (at 'plaintext')."),
    );
    const importing = {
      KeyId: 'k',
      ImportToken: 'aGk=',
      EncryptedKeyMaterial: 'aGk=',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
    };
    expect(wireError(() => parseRequest('ImportKeyMaterial', { ...importing, ValidTo: true }))).toEqual(
      serializationError("TRUE_VALUE cannot be converted to Timestamp (at 'validTo')."),
    );
    expect(parseRequest('ImportKeyMaterial', { ...importing, ValidTo: 0 }).input.ValidTo).toEqual(new Date(0));
  });

  it('given a fraction or a number in text where an integer is expected, then it is not converted', () => {
    expect(wireError(() => parseRequest('GenerateRandom', { NumberOfBytes: 1.5 }))).toEqual(
      serializationError("NUMBER_VALUE cannot be converted to Integer (at 'numberOfBytes')."),
    );
  });

  it('given a list where a list of strings expects a string, or a list member of another type, then its place', () => {
    expect(wireError(() => parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: ['a', 5] }))).toEqual(
      serializationError("NUMBER_VALUE cannot be converted to String (at 'grantTokens.2.member')."),
    );
    expect(wireError(() => parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: 'a' }))).toEqual(
      serializationError("STRING_VALUE cannot be converted to List (at 'grantTokens')."),
    );
    expect(wireError(() => parseRequest('CreateKey', { Tags: [[]] }))).toEqual(
      serializationError("Start of list found where not expected (at 'tags.1.member')."),
    );
  });
});

describe('string constraints, in the order AWS lists them', () => {
  it('given a key id of 2,048 characters, then it passes; 2,049, then refused with the value echoed', () => {
    expect(parseRequest('DescribeKey', { KeyId: 'k'.repeat(2048) }).input.KeyId).toHaveLength(2048);
    const long = 'k'.repeat(2049);
    expect(wireError(() => parseRequest('DescribeKey', { KeyId: long }))).toEqual(
      validationError(
        `Value '${long}' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048`,
      ),
    );
  });

  it('given a string off its pattern and too long, then the pattern first, then the length', () => {
    const name = '!'.repeat(257);
    const at = `Value '${name}' at 'aliasName' failed to satisfy constraint: Member must`;
    expect(wireError(() => parseRequest('DeleteAlias', { AliasName: name }))).toEqual(
      validationError(
        `${at} satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`,
        `${at} have length less than or equal to 256`,
      ),
    );
  });

  it('given an empty string off its pattern, then the pattern, then the least length', () => {
    const at = "Value '' at 'aliasName' failed to satisfy constraint: Member must";
    expect(wireError(() => parseRequest('DeleteAlias', { AliasName: '' }))).toEqual(
      validationError(
        `${at} satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`,
        `${at} have length greater than or equal to 1`,
      ),
    );
  });

  it('given a refused request, then the next one is judged on its own', () => {
    expect(wireError(() => parseRequest('DeleteAlias', { AliasName: 'bad name' })).type).toBe('ValidationException');
    expect(parseRequest('DeleteAlias', { AliasName: 'alias/good' }).input).toEqual({ AliasName: 'alias/good' });
    expect(wireError(() => parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: [''] })).type).toBe(
      'ValidationException',
    );
    expect(parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: ['t'] }).input.GrantTokens).toEqual(['t']);
  });
});

describe('lists', () => {
  it('given no grant tokens, then the empty list passes', () => {
    expect(parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: [] }).input).toEqual({ KeyId: 'k', GrantTokens: [] });
  });

  it('given several members breaking one constraint, then the list is reported once, naming it once', () => {
    expect(wireError(() => parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: ['', 'a', ''] }))).toEqual(
      validationError(
        "Value '[, a, ]' at 'grantTokens' failed to satisfy constraint: Member must satisfy constraint: " +
          '[Member must have length greater than or equal to 1]',
      ),
    );
  });

  it('given members breaking two constraints, then both are named, in the order first met', () => {
    const long = 'x'.repeat(8193);
    expect(wireError(() => parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: [long, ''] })).message).toBe(
      `1 validation error detected: Value '[${long}, ]' at 'grantTokens' failed to satisfy constraint: ` +
        'Member must satisfy constraint: [Member must have length less than or equal to 8192, ' +
        'Member must have length greater than or equal to 1]',
    );
  });
});

describe('the body and the operation', () => {
  it('given bytes of whitespace only, or no body, then the input is empty', () => {
    expect(parseRequest('ListKeys', Buffer.from(' \r\n')).input).toEqual({});
    expect(parseRequest('ListKeys', undefined).input).toEqual({});
  });

  it('given bytes that are not JSON, then the body is not valid JSON', () => {
    expect(wireError(() => parseRequest('ListKeys', Buffer.from([0x7b, 0xff])))).toEqual(
      serializationError('The request body is not valid JSON.'),
    );
  });

  it("given the name of an object's own property, then it is no operation", () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(wireError(() => parseRequest(name, {}))).toEqual({
        type: 'UnknownOperationException',
        message: `Operation ${name} is not supported.`,
      });
    }
  });
});
