/**
 * Grants as the evaluator sees them: who may call which operations on one key, under which encryption
 * context constraints. The constraints apply only to operations that take an encryption context; in a
 * constraint the context KEY is compared without case and the value exactly, as AWS documents.
 */
export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
] as const;
export type GrantOperation = (typeof GRANT_OPERATIONS)[number];

/** The operations a grant constraint applies to: those that take an encryption context. */
export const CONTEXT_OPERATIONS: ReadonlySet<string> = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
]);

export interface GrantConstraints {
  EncryptionContextEquals?: Record<string, string>;
  EncryptionContextSubset?: Record<string, string>;
}

export interface ActiveGrant {
  grantId: string;
  granteePrincipal: string;
  operations: readonly string[];
  constraints: GrantConstraints | null;
}

const lowerKeys = (context: Readonly<Record<string, string>>): Map<string, string> => {
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(context)) map.set(k.toLowerCase(), v);
  return map;
};

/** Whether a request's encryption context satisfies a grant's constraints. */
export function constraintsHold(
  constraints: GrantConstraints | null,
  encryptionContext: Readonly<Record<string, string>> | undefined,
): boolean {
  if (constraints === null) return true;
  const request = lowerKeys(encryptionContext ?? {});
  const equals = constraints.EncryptionContextEquals;
  if (equals !== undefined) {
    const wanted = lowerKeys(equals);
    if (wanted.size !== request.size) return false;
    for (const [k, v] of wanted) if (request.get(k) !== v) return false;
  }
  const subset = constraints.EncryptionContextSubset;
  if (subset !== undefined) {
    for (const [k, v] of lowerKeys(subset)) if (request.get(k) !== v) return false;
  }
  return true;
}

/**
 * Whether `child` constraints are as strict as `parent`'s or stricter: every context the child allows,
 * the parent allows too. A grant that gives CreateGrant can only pass on what it has.
 */
export function atLeastAsStrict(child: GrantConstraints | null, parent: GrantConstraints | null): boolean {
  if (parent === null) return true;
  if (child === null) return false;
  const childEquals = child.EncryptionContextEquals;
  if (childEquals !== undefined) return constraintsHold(parent, childEquals);
  if (parent.EncryptionContextEquals !== undefined) return false;
  const childSubset = lowerKeys(child.EncryptionContextSubset ?? {});
  for (const [k, v] of lowerKeys(parent.EncryptionContextSubset ?? {})) if (childSubset.get(k) !== v) return false;
  return true;
}

/** The grants that let this principal call this operation with this context. */
export function grantsAllowing(
  grants: readonly ActiveGrant[],
  principalArn: string,
  operation: string,
  encryptionContext: Readonly<Record<string, string>> | undefined,
): ActiveGrant[] {
  const allowing: ActiveGrant[] = [];
  const constrained = CONTEXT_OPERATIONS.has(operation);
  for (const grant of grants) {
    if (grant.granteePrincipal !== principalArn || !grant.operations.includes(operation)) continue;
    if (constrained && !constraintsHold(grant.constraints, encryptionContext)) continue;
    allowing.push(grant);
  }
  return allowing;
}
