export type InvalidCiphertextReason =
  'TOO_SHORT' | 'NOT_KEYLEDGER_CIPHERTEXT' | 'UNSUPPORTED_VERSION' | 'AUTHENTICATION_FAILED';

const PARSE_MESSAGES: Record<InvalidCiphertextReason, string> = {
  TOO_SHORT: 'ciphertext is too short',
  NOT_KEYLEDGER_CIPHERTEXT: 'ciphertext does not start with the Keyledger magic byte',
  UNSUPPORTED_VERSION: 'ciphertext format version is not supported',
  // Deliberately empty, like AWS KMS: an authentication failure must not hint at
  // whether the key, the context or the bytes were wrong.
  AUTHENTICATION_FAILED: '',
};

/**
 * The ciphertext cannot be parsed or does not authenticate. `reason` is for logs and
 * tests; the KMS API maps every reason to an `InvalidCiphertextException` without detail.
 */
export class InvalidCiphertextError extends Error {
  readonly reason: InvalidCiphertextReason;

  constructor(reason: InvalidCiphertextReason) {
    super(PARSE_MESSAGES[reason]);
    this.name = 'InvalidCiphertextError';
    this.reason = reason;
  }
}
