/**
 * What a policy's conditions can ask about one request: who calls, what, on which key, and the request
 * parameters KMS exposes as condition keys. A key absent here is absent from the request context.
 */
export interface AuthorizationRequest {
  /** `arn:aws:iam::<account>:user/<name>`. */
  principalArn: string;
  /** The caller's account. */
  accountId: string;
  /** `kms:Decrypt`, `kms:ReEncryptFrom`, … */
  action: string;
  /** The key ARN, or `*` for operations on no key. */
  resource: string;
  currentTime: number;
  sourceIp?: string;
  encryptionContext?: Readonly<Record<string, string>>;
  encryptionAlgorithm?: string;
  requestAlias?: string;
  resourceAliases?: readonly string[];
  grantOperations?: readonly string[];
  granteePrincipal?: string;
  retiringPrincipal?: string;
  grantIsForAwsResource?: boolean;
  keyOrigin?: string;
  keySpec?: string;
  keyUsage?: string;
}

export type ContextLookup = (request: AuthorizationRequest) => readonly string[] | undefined;

const one = (value: string | undefined): readonly string[] | undefined => (value === undefined ? undefined : [value]);
const many = (values: readonly string[] | undefined): readonly string[] | undefined =>
  values === undefined || values.length === 0 ? undefined : values;

/** The user name of an IAM user ARN; other principals have none (aws:username is absent for them). */
export function userNameOf(principalArn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(principalArn);
  return match?.[1];
}

const ENCRYPTION_CONTEXT_PREFIX = 'kms:encryptioncontext:';

const KEYS: Record<string, ContextLookup> = {
  'kms:encryptioncontextkeys': (r) =>
    many(r.encryptionContext === undefined ? undefined : Object.keys(r.encryptionContext)),
  'kms:calleraccount': (r) => [r.accountId],
  'kms:encryptionalgorithm': (r) => one(r.encryptionAlgorithm),
  'kms:requestalias': (r) => one(r.requestAlias),
  'kms:resourcealiases': (r) => many(r.resourceAliases),
  'kms:grantoperations': (r) => many(r.grantOperations),
  'kms:granteeprincipal': (r) => one(r.granteePrincipal),
  'kms:retiringprincipal': (r) => one(r.retiringPrincipal),
  'kms:grantisforawsresource': (r) =>
    r.grantIsForAwsResource === undefined ? undefined : [String(r.grantIsForAwsResource)],
  'kms:keyorigin': (r) => one(r.keyOrigin),
  'kms:keyspec': (r) => one(r.keySpec),
  'kms:keyusage': (r) => one(r.keyUsage),
  'aws:principalarn': (r) => [r.principalArn],
  'aws:principalaccount': (r) => [r.accountId],
  'aws:principaltype': (r) => (userNameOf(r.principalArn) === undefined ? undefined : ['User']),
  'aws:sourceip': (r) => one(r.sourceIp),
  'aws:currenttime': (r) => [new Date(r.currentTime).toISOString()],
  'aws:epochtime': (r) => [String(Math.floor(r.currentTime / 1000))],
  'aws:username': (r) => one(userNameOf(r.principalArn)),
};

const absent: ContextLookup = () => undefined;

/**
 * Resolves a condition key once, when the policy is compiled. Key names are case-insensitive, except the
 * encryption context key after `kms:EncryptionContext:`, which KMS compares exactly (values always are).
 */
export function contextLookup(conditionKey: string): ContextLookup {
  const lower = conditionKey.toLowerCase();
  if (lower.startsWith(ENCRYPTION_CONTEXT_PREFIX)) {
    const contextKey = conditionKey.slice(ENCRYPTION_CONTEXT_PREFIX.length);
    return (r) => {
      const context = r.encryptionContext;
      if (context === undefined || !Object.prototype.hasOwnProperty.call(context, contextKey)) return undefined;
      const value = context[contextKey];
      // Stryker disable next-line ConditionalExpression: own key of a Record<string, string>
      return value === undefined ? undefined : [value];
    };
  }
  return (Object.prototype.hasOwnProperty.call(KEYS, lower) ? KEYS[lower] : undefined) ?? absent;
}
