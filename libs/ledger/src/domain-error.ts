/**
 * A rule of the domain said no. `code` is protocol-neutral; the KMS error mapper
 * turns it into an AWS `__type`. Messages never carry secrets: only ids and ARNs.
 */
export type DomainErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Disabled'
  | 'InvalidState'
  | 'Unsupported'
  | 'LimitExceeded'
  | 'Validation'
  | 'InvalidAliasName'
  | 'Tag'
  | 'IncorrectKey'
  | 'IncorrectKeyMaterial'
  | 'InvalidCiphertext'
  | 'InvalidImportToken'
  | 'ExpiredImportToken'
  | 'InvalidKeyUsage'
  | 'DryRun'
  | 'Conflict'
  | 'InvalidMarker'
  | 'InvalidSignature'
  | 'InvalidMac'
  | 'MalformedPolicyDocument'
  | 'AccessDenied'
  | 'InvalidGrantToken'
  | 'InvalidGrantId'
  | 'InvalidArn';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type Decision<E> = E[] | DomainError;
