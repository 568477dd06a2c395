import { matchStatements, type CompiledPolicy, type StatementMatch, type StatementRef } from './compiled-policy.js';
import { GRANT_OPERATIONS, grantsAllowing, type ActiveGrant } from './grants.js';
import type { AuthorizationRequest } from './request-context.js';

/**
 * AWS's evaluation for a KMS request in the key's own account:
 * 1. an explicit Deny in the key policy or an identity policy wins;
 * 2. otherwise it is allowed when the key policy allows the caller directly, or allows the caller's account
 *    and an identity policy allows the action on the key, or an active grant allows the operation and its
 *    constraints hold;
 * 3. an operation on no key (CreateKey, ListKeys, …) is decided by the identity policies alone.
 * The decision names what decided it: statements (policy, Sid, index) and grant ids.
 */
export type DecisionKind = 'ALLOWED' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';
export type PolicyType = 'resource-based' | 'identity-based';

export interface AllowingStatement extends StatementRef {
  /** For a key policy statement: whether it named the caller, or the caller's account (then IAM decides). */
  via: 'direct' | 'account';
}

export interface AuthorizationDecision {
  decision: DecisionKind;
  action: string;
  resource: string;
  principalArn: string;
  allowingStatements: AllowingStatement[];
  allowingGrants: string[];
  denyingStatements: StatementRef[];
  /** Which kind of policy denied (explicitly) or lacked an allow (implicitly); null when allowed. */
  policyType: PolicyType | null;
}

export interface AuthorizationInput {
  request: AuthorizationRequest;
  /** The key's policy; null for an operation on no key. */
  keyPolicy: CompiledPolicy | null;
  identityPolicies: readonly CompiledPolicy[];
  grants?: readonly ActiveGrant[];
  /**
   * Collect every reason (for simulate and access reports); otherwise stop at the first that allows, which
   * keeps the request path short.
   */
  complete?: boolean;
}

const allowing = (m: StatementMatch): AllowingStatement => {
  const { policy, sid, index } = m.statement.ref;
  return { policy, sid, index, via: m.via };
};

const GRANTABLE: ReadonlySet<string> = new Set(GRANT_OPERATIONS.map((op) => `kms:${op}`));

function decision(
  input: AuthorizationInput,
  kind: DecisionKind,
  policyType: PolicyType | null,
  statements: AllowingStatement[],
  grants: string[],
  denies: StatementRef[],
): AuthorizationDecision {
  const { action, resource, principalArn } = input.request;
  return {
    decision: kind,
    action,
    resource,
    principalArn,
    allowingStatements: statements,
    allowingGrants: grants,
    denyingStatements: denies,
    policyType,
  };
}

export function evaluateAuthorization(input: AuthorizationInput): AuthorizationDecision {
  const { request, keyPolicy } = input;
  const complete = input.complete === true;
  const identityAllows: StatementMatch[] = [];
  const identityDenies: StatementMatch[] = [];
  for (const policy of input.identityPolicies) {
    const { allows, denies } = matchStatements(policy, request);
    identityAllows.push(...allows);
    identityDenies.push(...denies);
  }

  // Stryker disable next-line ArrayDeclaration: read only after the branches below, which replace it or find no allow
  let keyAllows: StatementMatch[] = [];
  let keyDenies: StatementMatch[] = [];
  if (keyPolicy !== null) {
    // Stryker disable next-line ConditionalExpression: a fast path; walking the default policy finds the same allow
    if (keyPolicy.delegatesAllTo !== null && request.action.startsWith('kms:')) {
      // AWS's default key policy: one statement, read without walking it.
      const [statement] = keyPolicy.statements;
      // Stryker disable next-line ConditionalExpression: delegatesAllTo implies one statement
      if (keyPolicy.delegatesAllTo === request.accountId && statement !== undefined)
        keyAllows = [{ statement, via: 'account' }];
    } else {
      ({ allows: keyAllows, denies: keyDenies } = matchStatements(keyPolicy, request));
    }
  }

  if (keyDenies.length > 0 || identityDenies.length > 0) {
    const denies = [...keyDenies, ...identityDenies].map((m) => m.statement.ref);
    return decision(input, 'EXPLICIT_DENY', keyDenies.length > 0 ? 'resource-based' : 'identity-based', [], [], denies);
  }

  if (keyPolicy === null) {
    if (identityAllows.length === 0) return decision(input, 'IMPLICIT_DENY', 'identity-based', [], [], []);
    return decision(input, 'ALLOWED', null, identityAllows.map(allowing), [], []);
  }

  const statements: AllowingStatement[] = [];
  for (const m of keyAllows) if (m.via === 'direct') statements.push(allowing(m));
  const accountAllows = keyAllows.filter((m) => m.via === 'account');
  if (accountAllows.length > 0 && identityAllows.length > 0) {
    for (const m of accountAllows) statements.push(allowing(m));
    for (const m of identityAllows) statements.push(allowing(m));
  }
  let grants: string[] = [];
  if ((statements.length === 0 || complete) && input.grants !== undefined && GRANTABLE.has(request.action)) {
    const operation = request.action.slice('kms:'.length);
    grants = grantsAllowing(input.grants, request.principalArn, operation, request.encryptionContext).map(
      (g) => g.grantId,
    );
  }
  if (statements.length > 0 || grants.length > 0) return decision(input, 'ALLOWED', null, statements, grants, []);
  const missing: PolicyType = accountAllows.length > 0 ? 'identity-based' : 'resource-based';
  return decision(input, 'IMPLICIT_DENY', missing, [], [], []);
}

/**
 * AWS's AccessDeniedException texts, e.g. `User: arn:aws:iam::111122223333:user/bob is not authorized to
 * perform: kms:Decrypt on resource: <key arn> because no resource-based policy allows the kms:Decrypt action`.
 */
export function accessDeniedMessage(decision: AuthorizationDecision): string {
  const head = `User: ${decision.principalArn} is not authorized to perform: ${decision.action} on resource: ${decision.resource}`;
  const type = decision.policyType ?? 'identity-based';
  if (decision.decision === 'EXPLICIT_DENY') {
    return `${head} with an explicit deny in ${type === 'resource-based' ? 'a' : 'an'} ${type} policy`;
  }
  return `${head} because no ${type} policy allows the ${decision.action} action`;
}
