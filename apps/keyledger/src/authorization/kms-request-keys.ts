import { keyIdFromCiphertext } from '@keyledger/crypto';

/**
 * Which keys a KMS request names, as the caller named them (key id, key ARN, alias name or ARN), before
 * anything is resolved: the key its action is asked on, and for ReEncrypt and UpdateAlias the second one.
 * Decrypt and ReEncrypt without a KeyId name the key their ciphertext names. An alias operation names the
 * key the alias points at. Nothing here reads the ledger.
 */
export interface NamedKeys {
  key?: string;
  /** An alias whose target is the key (DeleteAlias, UpdateAlias's old target). */
  keyOfAlias?: string;
  otherKey?: string;
}

/** RetireGrant is decided by the grant itself (retiring principal, grantee, account), not by the key policy. */
export const DECIDED_BY_GRANT: ReadonlySet<string> = new Set(['RetireGrant']);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function fromCiphertext(blob: unknown): string | undefined {
  if (!Buffer.isBuffer(blob)) return undefined;
  try {
    return keyIdFromCiphertext(blob);
  } catch {
    // Not one of ours (or an RSA ciphertext, which needs its KeyId): the handler answers for it.
    return undefined;
  }
}

const aliasName = (value: unknown): string | undefined => {
  const name = text(value);
  return name?.startsWith('alias/') === true ? name : undefined;
};

export function namedKeys(operation: string, input: Readonly<Record<string, unknown>>): NamedKeys {
  switch (operation) {
    case 'Decrypt':
      return { key: text(input.KeyId) ?? fromCiphertext(input.CiphertextBlob) };
    case 'ReEncrypt':
      return {
        key: text(input.SourceKeyId) ?? fromCiphertext(input.CiphertextBlob),
        otherKey: text(input.DestinationKeyId),
      };
    case 'CreateAlias':
      return { key: text(input.TargetKeyId) };
    case 'UpdateAlias':
      return { keyOfAlias: aliasName(input.AliasName), otherKey: text(input.TargetKeyId) };
    case 'DeleteAlias':
      return { keyOfAlias: aliasName(input.AliasName) };
    default:
      return { key: text(input.KeyId) };
  }
}
