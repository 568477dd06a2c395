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
  // Stryker disable next-line EqualityOperator: ':alias/' cannot start a value that starts with 'arn:'
  return value.startsWith('arn:') && at >= 0 ? value.slice(at + 1) : undefined;
}

// The request objects are built by assignment in one order, never by spreading partial objects: spreads of
// objects whose members vary made every request a dictionary-mode object, and building and then reading them
// cost as much as the Decrypt they authorised.

/** A request of `facts`' caller, with nothing but who, when and from where yet. */
function callerRequest(facts: KmsRequestFacts): AuthorizationRequest {
  const request = {
    principalArn: facts.principalArn,
    accountId: facts.accountId,
    currentTime: facts.now,
  } as AuthorizationRequest;
  if (facts.sourceIp !== undefined) request.sourceIp = facts.sourceIp;
  return request;
}

function addKeyConditions(request: AuthorizationRequest, key: KeyFacts): void {
  request.keyOrigin = key.origin;
  request.keySpec = key.keySpec;
  request.keyUsage = key.keyUsage;
  request.resourceAliases = key.aliases;
}

function addParameterConditions(
  request: AuthorizationRequest,
  operation: string,
  input: Readonly<Record<string, unknown>>,
): void {
  const ec = context(input.EncryptionContext);
  if (ec !== undefined) request.encryptionContext = ec;
  if (ENCRYPTION_ALGORITHM_OPERATIONS.has(operation)) {
    request.encryptionAlgorithm = text(input.EncryptionAlgorithm) ?? SYMMETRIC_DEFAULT;
  }
  const alias = requestAliasOf(input.KeyId);
  if (alias !== undefined) request.requestAlias = alias;
  if (operation === 'CreateGrant') {
    if (Array.isArray(input.Operations))
      request.grantOperations = input.Operations.filter((o) => typeof o === 'string');
    const grantee = text(input.GranteePrincipal);
    if (grantee !== undefined) request.granteePrincipal = grantee;
    const retiring = text(input.RetiringPrincipal);
    if (retiring !== undefined) request.retiringPrincipal = retiring;
  }
  if (GRANT_MANAGEMENT.has(operation)) request.grantIsForAwsResource = false;
  if (operation === 'CreateKey') {
    request.keyOrigin = text(input.Origin) ?? 'AWS_KMS';
    request.keySpec = text(input.KeySpec) ?? text(input.CustomerMasterKeySpec) ?? SYMMETRIC_DEFAULT;
    request.keyUsage = text(input.KeyUsage) ?? 'ENCRYPT_DECRYPT';
  }
}

/** ReEncrypt's half on one key: its own algorithm, context and alias parameters. */
function reEncryptRequest(
  facts: KmsRequestFacts,
  key: KeyFacts,
  action: string,
  algorithm: unknown,
  encryptionContext: unknown,
  keyId: unknown,
): AuthorizationRequest {
  const request = callerRequest(facts);
  addKeyConditions(request, key);
  request.action = action;
  request.resource = key.arn;
  request.encryptionAlgorithm = text(algorithm) ?? SYMMETRIC_DEFAULT;
  const ec = context(encryptionContext);
  if (ec !== undefined) request.encryptionContext = ec;
  const alias = requestAliasOf(keyId);
  if (alias !== undefined) request.requestAlias = alias;
  return request;
}

export function authorizationRequests(facts: KmsRequestFacts): AuthorizationRequest[] {
  const { operation, input, key } = facts;
  if (OPERATIONS_ON_NO_KEY.has(operation) || key === undefined) {
    const request = callerRequest(facts);
    addParameterConditions(request, operation, input);
    request.action = `kms:${operation}`;
    request.resource = '*';
    return [request];
  }
  if (operation === 'ReEncrypt') {
    const from = reEncryptRequest(
      facts,
      key,
      'kms:ReEncryptFrom',
      input.SourceEncryptionAlgorithm,
      input.SourceEncryptionContext,
      input.SourceKeyId,
    );
    const to = reEncryptRequest(
      facts,
      facts.otherKey ?? key,
      'kms:ReEncryptTo',
      input.DestinationEncryptionAlgorithm,
      input.DestinationEncryptionContext,
      input.DestinationKeyId,
    );
    return [from, to];
  }
  const onKey = (target: KeyFacts): AuthorizationRequest => {
    const request = callerRequest(facts);
    addKeyConditions(request, target);
    addParameterConditions(request, operation, input);
    request.action = `kms:${operation}`;
    request.resource = target.arn;
    return request;
  };
  const first = onKey(key);
  if (operation === 'UpdateAlias' && facts.otherKey !== undefined && facts.otherKey.arn !== key.arn) {
    return [first, onKey(facts.otherKey)];
  }
  return [first];
}
