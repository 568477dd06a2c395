import { parseCiphertext } from '@keyledger/crypto';
import { isTrackedOperation, parseKeyIdentifier, type KmsScope } from '@keyledger/ledger';

/** A key (and, when known, its backing key) that one request used or tried to use. */
export interface KeyTouched {
  keyId: string;
  keyMaterialId: string | null;
}

type Members = Record<string, unknown>;

const keyIdOfArn = (arn: unknown): string | undefined =>
  typeof arn === 'string' && arn.includes(':key/') ? arn.slice(arn.lastIndexOf('/') + 1) : undefined;

const materialOf = (id: unknown): string | null => (typeof id === 'string' ? id : null);

/**
 * The keys a successful operation used, read from its answer: every tracked operation names its key
 * by ARN, and the symmetric ones the backing key too. ReEncrypt used two keys: it counts on both.
 */
export function keysUsed(operation: string, output: Members): KeyTouched[] {
  if (!isTrackedOperation(operation)) return [];
  const used: KeyTouched[] = [];
  if (operation === 'ReEncrypt') {
    const source = keyIdOfArn(output.SourceKeyId);
    if (source !== undefined) used.push({ keyId: source, keyMaterialId: materialOf(output.SourceKeyMaterialId) });
    const destination = keyIdOfArn(output.KeyId);
    if (destination !== undefined)
      used.push({ keyId: destination, keyMaterialId: materialOf(output.DestinationKeyMaterialId) });
    return used;
  }
  const keyId = keyIdOfArn(output.KeyId);
  if (keyId !== undefined) used.push({ keyId, keyMaterialId: materialOf(output.KeyMaterialId) });
  return used;
}

/**
 * The key a refused request tried to use, as far as the request itself tells without a lookup: a key id
 * or key ARN it named, else the key a ciphertext names in its header. An alias, or nothing that parses,
 * names no key: such a refusal is not counted against one (it is still in the access log).
 */
export function keyTried(operation: string, input: Members, scope: KmsScope): KeyTouched | undefined {
  if (!isTrackedOperation(operation)) return undefined;
  const named = operation === 'ReEncrypt' ? input.SourceKeyId : input.KeyId;
  if (typeof named === 'string') {
    const parsed = parseKeyIdentifier(named, scope, { allowAlias: true });
    return 'kind' in parsed && parsed.kind === 'key' ? { keyId: parsed.keyId, keyMaterialId: null } : undefined;
  }
  if (Buffer.isBuffer(input.CiphertextBlob)) {
    try {
      const header = parseCiphertext(input.CiphertextBlob);
      return { keyId: header.keyId, keyMaterialId: header.keyMaterialId };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
