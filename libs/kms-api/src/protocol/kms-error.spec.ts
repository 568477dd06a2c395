import { describe, expect, it } from 'vitest';
import { INTERNAL_ERROR_MESSAGE, KmsError, toWireError } from './kms-error.js';

describe('KmsError and toWireError', () => {
  it('puts a KmsError on the wire as it is', () => {
    expect(toWireError(KmsError.notFound("Key 'arn:aws:kms:us-east-1:111122223333:key/x' does not exist"))).toEqual({
      statusCode: 400,
      body: { __type: 'NotFoundException', message: "Key 'arn:aws:kms:us-east-1:111122223333:key/x' does not exist" },
    });
    expect(toWireError(new KmsError('ThrottlingException', 'slow down', 429)).statusCode).toBe(429);
    expect(toWireError(KmsError.invalidCiphertext()).body).toEqual({
      __type: 'InvalidCiphertextException',
      message: '',
    });
  });

  it('helpers carry the AWS names', () => {
    expect(KmsError.validation('m').type).toBe('ValidationException');
    expect(KmsError.serialization('m').type).toBe('SerializationException');
    expect(KmsError.invalidState('m').type).toBe('KMSInvalidStateException');
    expect(KmsError.unrecognizedClient().message).toBe('The security token included in the request is invalid.');
    expect(KmsError.internal().statusCode).toBe(500);
  });

  it('never lets the text of another error out', () => {
    const wire = toWireError(new Error('key material 0xdeadbeef leaked in /var/lib/keyledger'));
    expect(wire).toEqual({
      statusCode: 500,
      body: { __type: 'KMSInternalException', message: INTERNAL_ERROR_MESSAGE },
    });
    expect(JSON.stringify(wire)).not.toContain('deadbeef');
    expect(toWireError('a string').statusCode).toBe(500);
    expect(toWireError(undefined).body.__type).toBe('KMSInternalException');
    // Something that merely looks like a KmsError is not trusted.
    expect(toWireError({ type: 'NotFoundException', message: 'secret', statusCode: 400 }).statusCode).toBe(500);
  });

  it('is recognised across copies of the module by its brand', () => {
    const e = KmsError.disabled('x');
    expect(e).toBeInstanceOf(Error);
    expect(KmsError.is(e)).toBe(true);
    expect(KmsError.is(new Error('x'))).toBe(false);
    expect(e.name).toBe('DisabledException');
  });
});
