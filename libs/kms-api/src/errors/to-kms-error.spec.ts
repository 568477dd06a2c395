import { DomainError, type DomainErrorCode } from '@keyledger/ledger';
import { describe, expect, it } from 'vitest';
import { KmsError, toWireError } from '../protocol/kms-error.js';
import { toKmsError } from './to-kms-error.js';

// Each domain refusal and the `__type` AWS's model names for it (reference/kms-operations.txt; ValidationException
// and AccessDeniedException are the service-wide ones). The SDKs dispatch on `__type` alone, so one wrong name
// turns a client's mistake into an exception class its code does not catch.
const AWS_TYPE: Record<DomainErrorCode, string> = {
  NotFound: 'NotFoundException',
  AlreadyExists: 'AlreadyExistsException',
  Disabled: 'DisabledException',
  InvalidState: 'KMSInvalidStateException',
  Unsupported: 'UnsupportedOperationException',
  LimitExceeded: 'LimitExceededException',
  Validation: 'ValidationException',
  InvalidAliasName: 'InvalidAliasNameException',
  Tag: 'TagException',
  IncorrectKey: 'IncorrectKeyException',
  IncorrectKeyMaterial: 'IncorrectKeyMaterialException',
  InvalidCiphertext: 'InvalidCiphertextException',
  InvalidImportToken: 'InvalidImportTokenException',
  ExpiredImportToken: 'ExpiredImportTokenException',
  InvalidKeyUsage: 'InvalidKeyUsageException',
  DryRun: 'DryRunOperationException',
  Conflict: 'ConflictException',
  InvalidMarker: 'InvalidMarkerException',
  InvalidSignature: 'KMSInvalidSignatureException',
  InvalidMac: 'KMSInvalidMacException',
  MalformedPolicyDocument: 'MalformedPolicyDocumentException',
  AccessDenied: 'AccessDeniedException',
  InvalidGrantToken: 'InvalidGrantTokenException',
  InvalidGrantId: 'InvalidGrantIdException',
  InvalidArn: 'InvalidArnException',
};

describe('toKmsError: a domain refusal on the wire', () => {
  it.each(Object.entries(AWS_TYPE) as Array<[DomainErrorCode, string]>)(
    'given a %s refusal, then the client gets HTTP 400 %s with the refusal message',
    (code, type) => {
      const message = `refused (${code}) for arn:aws:kms:us-east-1:111122223333:key/1234abcd`;
      const mapped = toKmsError(new DomainError(code, message));
      expect(KmsError.is(mapped)).toBe(true);
      expect(toWireError(mapped)).toEqual({ statusCode: 400, body: { __type: type, message } });
    },
  );

  it('given an empty refusal message (AWS sends some), then the message stays empty', () => {
    expect(toWireError(toKmsError(new DomainError('Unsupported', '')))).toEqual({
      statusCode: 400,
      body: { __type: 'UnsupportedOperationException', message: '' },
    });
  });

  it('given anything that is not a domain refusal, then it is passed on as it is, for toWireError to hide', () => {
    const bug = new Error('sealed material 0xdeadbeef');
    expect(toKmsError(bug)).toBe(bug);
    const kms = KmsError.notFound('x');
    expect(toKmsError(kms)).toBe(kms);
    expect(toKmsError('text')).toBe('text');
    expect(toWireError(toKmsError(bug)).statusCode).toBe(500);
  });
});

describe('KmsError helpers: the AWS name, status 400 and the message of each', () => {
  it.each([
    ['ValidationException', 'm', KmsError.validation('m')],
    ['SerializationException', 'm', KmsError.serialization('m')],
    ['UnknownOperationException', 'm', KmsError.unknownOperation('m')],
    ['NotFoundException', 'm', KmsError.notFound('m')],
    ['AlreadyExistsException', 'm', KmsError.alreadyExists('m')],
    ['DisabledException', 'm', KmsError.disabled('m')],
    ['KMSInvalidStateException', 'm', KmsError.invalidState('m')],
    ['UnsupportedOperationException', 'm', KmsError.unsupportedOperation('m')],
    ['InvalidCiphertextException', '', KmsError.invalidCiphertext()],
    ['InvalidCiphertextException', 'm', KmsError.invalidCiphertext('m')],
    ['AccessDeniedException', 'm', KmsError.accessDenied('m')],
    [
      'MissingAuthenticationTokenException',
      'Request is missing Authentication Token',
      KmsError.missingAuthenticationToken(),
    ],
    ['MissingAuthenticationTokenException', 'm', KmsError.missingAuthenticationToken('m')],
    ['IncompleteSignatureException', 'm', KmsError.incompleteSignature('m')],
    ['InvalidSignatureException', 'm', KmsError.invalidSignature('m')],
    [
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      KmsError.unrecognizedClient(),
    ],
    ['UnrecognizedClientException', 'm', KmsError.unrecognizedClient('m')],
  ])('%s with the message %j', (type, message, error) => {
    expect(error.name).toBe(type);
    expect(toWireError(error)).toEqual({ statusCode: 400, body: { __type: type, message } });
  });

  it('internal is the one 500, with the retryable text and no other', () => {
    expect(toWireError(KmsError.internal())).toEqual({
      statusCode: 500,
      body: {
        __type: 'KMSInternalException',
        message: 'The request was rejected because an internal exception occurred. The request can be retried.',
      },
    });
  });

  it('is recognised by its brand only: not null, not a plain object, not a lookalike with the brand false', () => {
    expect(KmsError.is(null)).toBe(false);
    expect(KmsError.is(undefined)).toBe(false);
    expect(KmsError.is('ValidationException')).toBe(false);
    expect(KmsError.is({ [Symbol.for('keyledger.KmsError')]: false })).toBe(false);
    expect(KmsError.is({ [Symbol.for('keyledger.KmsError')]: true })).toBe(true);
  });
});
