import type { AuthorizationRequest } from './request-context.js';

/**
 * Which IAM actions a KMS request asks for, on which key, with which condition keys. Most operations are
 * one action named after them; ReEncrypt is two (ReEncryptFrom on the source key, ReEncryptTo on the
 * destination), UpdateAlias is asked of the old and the new target. Operations on no key are asked on
 * resource `*`. Condition keys that describe a parameter take its default when it is absent, as KMS does.
 */
export interface KeyFacts {
  arn: string;
  origin: string;
  keySpec: string;
  keyUsage: string;
  aliases: readonly string[];
}

export interface KmsRequestFacts {
  operation: string;
  input: Readonly<Record<string, unknown>>;
  principalArn: string;
  accountId: string;
  sourceIp?: string;
  now: number;
  /** The key the request names (KeyId; for ReEncrypt the source key). */
  key?: KeyFacts;
  /** ReEncrypt's destination key; UpdateAlias's new target. */
  otherKey?: KeyFacts;
}

export const OPERATIONS_ON_NO_KEY: ReadonlySet<string> = new Set([
  'CreateKey',
  'ListKeys',
  'ListAliases',
  'GenerateRandom',
  'ListRetirableGrants',
  'CreateCustomKeyStore',
  'DescribeCustomKeyStores',
  'UpdateCustomKeyStore',
  'DeleteCustomKeyStore',
  'ConnectCustomKeyStore',
  'DisconnectCustomKeyStore',
]);

const SYMMETRIC_DEFAULT = 'SYMMETRIC_DEFAULT';
const GRANT_MANAGEMENT = new Set(['CreateGrant', 'ListGrants', 'RevokeGrant']);
const ENCRYPTION_ALGORITHM_OPERATIONS = new Set(['Encrypt', 'Decrypt']);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const context = (value: unknown): Record<string, string> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : undefined;

/** `alias/x`, from a KeyId given as an alias name or alias ARN; undefined for key ids and key ARNs. */
export function requestAliasOf(keyId: unknown): string | undefined {
  const value = text(keyId);
  if (value === undefined) return undefined;
  if (value.startsWith('alias/')) return value;
  const at = value.indexOf(':alias/');
  return value.startsWith('arn:') && at >= 0 ? value.slice(at + 1) : undefined;
}

function keyConditions(key: KeyFacts | undefined): Partial<AuthorizationRequest> {
  if (key === undefined) return {};
  return { keyOrigin: key.origin, keySpec: key.keySpec, keyUsage: key.keyUsage, resourceAliases: key.aliases };
}

function parameterConditions(
  operation: string,
  input: Readonly<Record<string, unknown>>,
): Partial<AuthorizationRequest> {
  const out: Partial<AuthorizationRequest> = {};
  const ec = context(input.EncryptionContext);
  if (ec !== undefined) out.encryptionContext = ec;
  if (ENCRYPTION_ALGORITHM_OPERATIONS.has(operation)) {
    out.encryptionAlgorithm = text(input.EncryptionAlgorithm) ?? SYMMETRIC_DEFAULT;
  }
  const alias = requestAliasOf(input.KeyId);
  if (alias !== undefined) out.requestAlias = alias;
  if (operation === 'CreateGrant') {
    if (Array.isArray(input.Operations)) out.grantOperations = input.Operations.filter((o) => typeof o === 'string');
    const grantee = text(input.GranteePrincipal);
    if (grantee !== undefined) out.granteePrincipal = grantee;
    const retiring = text(input.RetiringPrincipal);
    if (retiring !== undefined) out.retiringPrincipal = retiring;
  }
  if (GRANT_MANAGEMENT.has(operation)) out.grantIsForAwsResource = false;
  if (operation === 'CreateKey') {
    out.keyOrigin = text(input.Origin) ?? 'AWS_KMS';
    out.keySpec = text(input.KeySpec) ?? text(input.CustomerMasterKeySpec) ?? SYMMETRIC_DEFAULT;
    out.keyUsage = text(input.KeyUsage) ?? 'ENCRYPT_DECRYPT';
  }
  return out;
}

export function authorizationRequests(facts: KmsRequestFacts): AuthorizationRequest[] {
  const { operation, input } = facts;
  const base = {
    principalArn: facts.principalArn,
    accountId: facts.accountId,
    currentTime: facts.now,
    ...(facts.sourceIp === undefined ? {} : { sourceIp: facts.sourceIp }),
  };
  if (OPERATIONS_ON_NO_KEY.has(operation) || facts.key === undefined) {
    return [{ ...base, ...parameterConditions(operation, input), action: `kms:${operation}`, resource: '*' }];
  }
  if (operation === 'ReEncrypt') {
    const from: AuthorizationRequest = {
      ...base,
      ...keyConditions(facts.key),
      action: 'kms:ReEncryptFrom',
      resource: facts.key.arn,
      encryptionAlgorithm: text(input.SourceEncryptionAlgorithm) ?? SYMMETRIC_DEFAULT,
    };
    const sourceContext = context(input.SourceEncryptionContext);
    if (sourceContext !== undefined) from.encryptionContext = sourceContext;
    const sourceAlias = requestAliasOf(input.SourceKeyId);
    if (sourceAlias !== undefined) from.requestAlias = sourceAlias;
    const destination = facts.otherKey ?? facts.key;
    const to: AuthorizationRequest = {
      ...base,
      ...keyConditions(destination),
      action: 'kms:ReEncryptTo',
      resource: destination.arn,
      encryptionAlgorithm: text(input.DestinationEncryptionAlgorithm) ?? SYMMETRIC_DEFAULT,
    };
    const destinationContext = context(input.DestinationEncryptionContext);
    if (destinationContext !== undefined) to.encryptionContext = destinationContext;
    const destinationAlias = requestAliasOf(input.DestinationKeyId);
    if (destinationAlias !== undefined) to.requestAlias = destinationAlias;
    return [from, to];
  }
  const first: AuthorizationRequest = {
    ...base,
    ...keyConditions(facts.key),
    ...parameterConditions(operation, input),
    action: `kms:${operation}`,
    resource: facts.key.arn,
  };
  if (operation === 'UpdateAlias' && facts.otherKey !== undefined && facts.otherKey.arn !== facts.key.arn) {
    return [first, { ...first, ...keyConditions(facts.otherKey), resource: facts.otherKey.arn }];
  }
  return [first];
}
