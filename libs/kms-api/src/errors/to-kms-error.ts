import { DomainError, type DomainErrorCode } from '@keyledger/ledger';
import { KmsError } from '../protocol/kms-error.js';

const TYPE_OF: Record<DomainErrorCode, string> = {
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

/**
 * The one mapping from what went wrong to what the wire says. Domain refusals
 * keep their (secret-free) messages; anything unknown becomes a 500 through
 * toWireError, which never repeats the original text.
 */
export function toKmsError(error: unknown): unknown {
  if (error instanceof DomainError) return new KmsError(TYPE_OF[error.code], error.message);
  return error;
}
