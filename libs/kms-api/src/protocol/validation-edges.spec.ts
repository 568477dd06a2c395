import { describe, expect, it } from 'vitest';
import { parseRequest, parseTarget } from './validation.js';
import { wireError, serializationError, validationError } from '../testing/thrown-kms-error.js';

// The request parser at the edges of each JSON type and each bound, by the exact text the client gets: a
// client's mistake is a 400 that says what was wrong, never a 500 or a value silently changed.

describe('integers are Java ints', () => {
  it.each([2147483648, -2147483649, 1e300])('%d does not fit: a serialization error, not a wrap-around', (n) => {
    expect(wireError(() => parseRequest('GenerateRandom', { NumberOfBytes: n }))).toEqual(
      serializationError("NUMBER_VALUE cannot be converted to Integer (at 'numberOfBytes')."),
    );
  });

  it('the largest and smallest ints fit, and meet the model bounds with the value echoed', () => {
    expect(wireError(() => parseRequest('GenerateRandom', { NumberOfBytes: 2147483647 }))).toEqual(
      validationError(
        "Value '2147483647' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
      ),
    );
    expect(wireError(() => parseRequest('GenerateRandom', { NumberOfBytes: -2147483648 }))).toEqual(
      validationError(
        "Value '-2147483648' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
      ),
    );
    expect(parseRequest('GenerateRandom', { NumberOfBytes: 1 }).input).toEqual({ NumberOfBytes: 1 });
  });

  it.each([
    [true, 'TRUE_VALUE'],
    [false, 'FALSE_VALUE'],
    ['5', 'STRING_VALUE'],
  ])('%j is named by its JSON token', (value, token) => {
    expect(wireError(() => parseRequest('GenerateRandom', { NumberOfBytes: value }))).toEqual(
      serializationError(`${token} cannot be converted to Integer (at 'numberOfBytes').`),
    );
  });
});

describe('booleans and timestamps', () => {
  it('a boolean member takes only true and false', () => {
    expect(parseRequest('Encrypt', { KeyId: 'k', Plaintext: 'aGk=', DryRun: false }).input.DryRun).toBe(false);
    expect(wireError(() => parseRequest('Encrypt', { KeyId: 'k', Plaintext: 'aGk=', DryRun: 1 }))).toEqual(
      serializationError("NUMBER_VALUE cannot be converted to Boolean (at 'dryRun')."),
    );
  });

  const importing = (ValidTo: unknown) => ({
    KeyId: 'k',
    ImportToken: 'aGk=',
    EncryptedKeyMaterial: 'aGk=',
    ExpirationModel: 'KEY_MATERIAL_EXPIRES',
    ValidTo,
  });

  it('a timestamp is epoch seconds, fractions kept; text or a date out of range is refused', () => {
    expect(parseRequest('ImportKeyMaterial', importing(1767225600.25)).input.ValidTo).toEqual(
      new Date('2026-01-01T00:00:00.250Z'),
    );
    expect(wireError(() => parseRequest('ImportKeyMaterial', importing('2026-01-01')))).toEqual(
      serializationError("STRING_VALUE cannot be converted to Timestamp (at 'validTo')."),
    );
    expect(wireError(() => parseRequest('ImportKeyMaterial', importing(1e300)))).toEqual(
      serializationError("Timestamp out of range (at 'validTo')."),
    );
  });
});

describe('blobs, lists and maps', () => {
  it('a blob: padded standard base64 only, and its length counted in decoded bytes, never echoed', () => {
    expect(wireError(() => parseRequest('Encrypt', { KeyId: 'k', Plaintext: 'aGk' }))).toEqual(
      serializationError("Invalid base64 (at 'plaintext'): blobs must be standard base64 with padding (RFC 4648)."),
    );
    expect(wireError(() => parseRequest('Encrypt', { KeyId: 'k', Plaintext: '' }))).toEqual(
      validationError(
        "Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ),
    );
    expect(parseRequest('Encrypt', { KeyId: 'k', Plaintext: 'aA==' }).input.Plaintext).toEqual(Buffer.from([0x68]));
  });

  it('a list: 10 grant tokens, not 11, the list echoed as AWS echoes it', () => {
    const tokens = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    expect(parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: tokens(10) }).input.GrantTokens).toEqual(tokens(10));
    expect(wireError(() => parseRequest('DescribeKey', { KeyId: 'k', GrantTokens: tokens(11) }))).toEqual(
      validationError(
        `Value '[${tokens(11).join(', ')}]' at 'grantTokens' failed to satisfy constraint: ` +
          'Member must have length less than or equal to 10',
      ),
    );
  });

  it('a list of structures: a null member is a serialization error naming its place, counted from 1', () => {
    const tag = { TagKey: 'a', TagValue: 'b' };
    expect(wireError(() => parseRequest('CreateKey', { Tags: [null] }))).toEqual(
      serializationError("Null list member (at 'tags.1.member')."),
    );
    expect(wireError(() => parseRequest('CreateKey', { Tags: [tag, null] }))).toEqual(
      serializationError("Null list member (at 'tags.2.member')."),
    );
    expect(wireError(() => parseRequest('CreateKey', { Tags: [tag, 'a'] }))).toEqual(
      serializationError("STRING_VALUE cannot be converted to Structure (at 'tags.2.member')."),
    );
    expect(parseRequest('CreateKey', { Tags: [tag] }).input.Tags).toEqual([tag]);
  });

  it('a map: each value must be a string, named by its key; a list or text is not a map', () => {
    const encrypt = (EncryptionContext: unknown) =>
      parseRequest('Encrypt', { KeyId: 'k', Plaintext: 'aGk=', EncryptionContext });
    expect(wireError(() => encrypt({ a: 'x', b: true }))).toEqual(
      serializationError("TRUE_VALUE cannot be converted to String (at 'encryptionContext.b')."),
    );
    expect(wireError(() => encrypt(['a']))).toEqual(
      serializationError("Start of list found where not expected (at 'encryptionContext')."),
    );
    expect(wireError(() => encrypt('a=b'))).toEqual(
      serializationError("STRING_VALUE cannot be converted to Map (at 'encryptionContext')."),
    );
  });
});

describe('the body and the operation', () => {
  it('a body that is not JSON, or JSON that is not an object, each with its own text', () => {
    expect(wireError(() => parseRequest('ListKeys', '{"Limit":'))).toEqual(
      serializationError('The request body is not valid JSON.'),
    );
    for (const body of ['[]', '5', 'null', [], 5, null]) {
      expect(wireError(() => parseRequest('ListKeys', body))).toEqual(
        serializationError('The request body must be a JSON object.'),
      );
    }
  });

  it('bytes are read from their own view of a larger buffer; whitespace alone is an empty body', () => {
    const view = Buffer.from('xx{"Limit":5}yy').subarray(2, 13);
    expect(parseRequest('ListKeys', new Uint8Array(view.buffer, view.byteOffset, view.byteLength)).input).toEqual({
      Limit: 5,
    });
    expect(parseRequest('ListKeys', ' \n\t ').input).toEqual({});
  });

  it('X-Amz-Target: missing, empty, of another service or another operation, each answered by name', () => {
    const unknown = (message: string) => ({ type: 'UnknownOperationException', message });
    expect(wireError(() => parseTarget(undefined))).toEqual(unknown('Missing X-Amz-Target header.'));
    expect(wireError(() => parseTarget(''))).toEqual(unknown('Missing X-Amz-Target header.'));
    expect(wireError(() => parseTarget(['']))).toEqual(unknown('Missing X-Amz-Target header.'));
    expect(parseTarget(['TrentService.Encrypt', 'TrentService.Decrypt'])).toBe('Encrypt');
    expect(wireError(() => parseTarget('Foo.Encrypt'))).toEqual(unknown('Operation Foo.Encrypt is not supported.'));
    expect(wireError(() => parseTarget('TrentService.Nope'))).toEqual(unknown('Operation Nope is not supported.'));
    // The header is the caller's: only what looks like an operation name is echoed, up to 128 characters.
    expect(wireError(() => parseTarget(`TrentService.${'A'.repeat(128)}`))).toEqual(
      unknown(`Operation ${'A'.repeat(128)} is not supported.`),
    );
    expect(wireError(() => parseTarget(`TrentService.${'A'.repeat(129)}`))).toEqual(
      unknown('Operation <invalid> is not supported.'),
    );
    expect(wireError(() => parseTarget('TrentService.a b'))).toEqual(unknown('Operation <invalid> is not supported.'));
    expect(wireError(() => parseRequest('Nope', {}))).toEqual(unknown('Operation Nope is not supported.'));
  });
});
