import { KmsError, toKmsError, toWireError, type WireError } from '@keyledger/kms-api';
import { dependencyTimeoutOf } from '../observability/dependency-timeout.js';

/**
 * The KMS protocol answers every client error with 400 because the AWS SDKs
 * expect it; the ledger API is plain HTTP, so it uses the statuses HTTP
 * clients and proxies understand. Same `{ "__type", "message" }` bodies.
 */
const STATUS_OF_TYPE: Record<string, number> = {
  MissingAuthenticationTokenException: 401,
  IncompleteSignatureException: 403,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  AccessDeniedException: 403,
  NotFoundException: 404,
};

export function ledgerWireError(error: unknown): WireError {
  const wire = toWireError(toKmsError(dependencyTimeoutOf(error)));
  const status = STATUS_OF_TYPE[wire.body.__type];
  return status === undefined ? wire : { statusCode: status, body: wire.body };
}

export const validation = (message: string) => KmsError.validation(message);
export const serialization = (message: string) => KmsError.serialization(message);
