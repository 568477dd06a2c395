/**
 * The one error type of the wire. Whatever goes wrong in a request ends as
 * `{"__type": <type>, "message": <message>}` with `statusCode`.
 *
 * Every client error is HTTP 400, including the authentication ones
 * (MissingAuthenticationToken, InvalidSignature, UnrecognizedClient, AccessDenied):
 * that is what AWS's JSON 1.1 services (KMS, DynamoDB) answer, and the SDKs only
 * look at `__type`; a 4xx also tells them not to retry.
 */

// A brand survives two copies of this module in one process (dual package, test
// doubles), where `instanceof` would not.
const BRAND = Symbol.for('keyledger.KmsError');

export const INTERNAL_ERROR_MESSAGE =
  'The request was rejected because an internal exception occurred. The request can be retried.';

export class KmsError extends Error {
  readonly [BRAND] = true;

  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }

  static is(value: unknown): value is KmsError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  static validation(message: string): KmsError {
    return new KmsError('ValidationException', message);
  }
  static serialization(message: string): KmsError {
    return new KmsError('SerializationException', message);
  }
  static unknownOperation(message: string): KmsError {
    return new KmsError('UnknownOperationException', message);
  }
  static notFound(message: string): KmsError {
    return new KmsError('NotFoundException', message);
  }
  static alreadyExists(message: string): KmsError {
    return new KmsError('AlreadyExistsException', message);
  }
  static disabled(message: string): KmsError {
    return new KmsError('DisabledException', message);
  }
  static invalidState(message: string): KmsError {
    return new KmsError('KMSInvalidStateException', message);
  }
  static unsupportedOperation(message: string): KmsError {
    return new KmsError('UnsupportedOperationException', message);
  }
  static invalidCiphertext(message = ''): KmsError {
    return new KmsError('InvalidCiphertextException', message);
  }
  static accessDenied(message: string): KmsError {
    return new KmsError('AccessDeniedException', message);
  }
  static missingAuthenticationToken(message = 'Request is missing Authentication Token'): KmsError {
    return new KmsError('MissingAuthenticationTokenException', message);
  }
  static incompleteSignature(message: string): KmsError {
    return new KmsError('IncompleteSignatureException', message);
  }
  static invalidSignature(message: string): KmsError {
    return new KmsError('InvalidSignatureException', message);
  }
  static unrecognizedClient(message = 'The security token included in the request is invalid.'): KmsError {
    return new KmsError('UnrecognizedClientException', message);
  }
  static internal(message = INTERNAL_ERROR_MESSAGE): KmsError {
    return new KmsError('KMSInternalException', message, 500);
  }
}

export interface WireError {
  statusCode: number;
  body: { __type: string; message: string };
}

/**
 * Anything that is not a KmsError is a bug or an infrastructure failure: its text
 * may hold key material, a path or a connection string, so it never reaches the
 * client. Log the original before calling this.
 */
export function toWireError(err: unknown): WireError {
  if (KmsError.is(err)) {
    return { statusCode: err.statusCode, body: { __type: err.type, message: err.message } };
  }
  return { statusCode: 500, body: { __type: 'KMSInternalException', message: INTERNAL_ERROR_MESSAGE } };
}
