import type { DomainError } from '../domain-error.js';
import { compileConditions, type ConditionTest } from './conditions.js';
import {
  parsePolicyDocument,
  type ConditionClause,
  type Effect,
  type PolicyDocument,
  type PolicyKind,
  type PrincipalSet,
} from './policy-document.js';
import type { AuthorizationRequest } from './request-context.js';
import { arnMatcher, wildcardMatcher, type Matcher } from './wildcard.js';

/**
 * A policy compiled once (a key's policy once per stream revision that changed it; an identity policy once
 * per directory): matchers for principals, actions, resources and conditions, so that evaluating a request
 * is a walk over closures. Action matches are remembered per statement, since a service has few actions.
 */
export type PolicyName = 'key' | 'identity';

export interface StatementRef {
  policy: PolicyName;
  sid: string | null;
  index: number;
}

/** How a key policy statement names the caller: directly (its ARN, `*`), or through its account. */
export type PrincipalMatch = 'direct' | 'account' | null;

export interface CompiledStatement {
  ref: StatementRef;
  effect: Effect;
  conditions: readonly ConditionClause[];
  principal: (principalArn: string, accountId: string) => PrincipalMatch;
  action: (action: string) => boolean;
  resource: Matcher;
  condition: ConditionTest | null;
}

export interface CompiledPolicy {
  kind: PolicyKind;
  text: string;
  document: PolicyDocument;
  statements: readonly CompiledStatement[];
  /**
   * Set when the policy only lets the given account delegate every KMS action to identity policies
   * (AWS's default key policy): evaluation then reads this one field.
   */
  delegatesAllTo: string | null;
}

export interface StatementMatch {
  statement: CompiledStatement;
  via: 'direct' | 'account';
}

const rootOf = (accountId: string): string => `arn:aws:iam::${accountId}:root`;

function principalMatcher(set: PrincipalSet): (arn: string, accountId: string) => PrincipalMatch {
  const arns = new Set(set.aws);
  return (arn, accountId) => {
    if (set.anyone || arns.has(arn)) return 'direct';
    return arns.has(rootOf(accountId)) ? 'account' : null;
  };
}

function notPrincipalMatcher(set: PrincipalSet): (arn: string, accountId: string) => PrincipalMatch {
  const arns = new Set(set.aws);
  return (arn, accountId) => (set.anyone || arns.has(arn) || arns.has(rootOf(accountId)) ? null : 'direct');
}

function listMatcher(patterns: readonly string[], make: (pattern: string) => Matcher): Matcher {
  const matchers = patterns.map(make);
  const [only] = matchers;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: fast path; the loop gives the same answer
  if (only !== undefined && matchers.length === 1) return only;
  return (value) => {
    for (const m of matchers) if (m(value)) return true;
    return false;
  };
}

function actionMatcher(action: string[] | null, notAction: string[] | null): (action: string) => boolean {
  const positive = action !== null;
  const test = listMatcher(positive ? action : (notAction as string[]), (p) => wildcardMatcher(p, true));
  const memo = new Map<string, boolean>();
  return (name) => {
    let result = memo.get(name);
    // Stryker disable next-line ConditionalExpression: a pure cache: recomputing gives the same
    if (result === undefined) {
      result = positive ? test(name) : !test(name);
      memo.set(name, result);
    }
    return result;
  };
}

const resourcePattern = (pattern: string): Matcher =>
  pattern.startsWith('arn:') ? arnMatcher(pattern) : wildcardMatcher(pattern, false);

function resourceMatcher(resource: string[] | null, notResource: string[] | null): Matcher {
  if (resource !== null) return listMatcher(resource, resourcePattern);
  const excluded = listMatcher(notResource as string[], resourcePattern);
  return (value) => !excluded(value);
}

function delegation(document: PolicyDocument): string | null {
  const [s] = document.statements;
  // Stryker disable next-line ConditionalExpression: s is undefined only when the length is 0, not 1
  if (s === undefined || document.statements.length !== 1) return null;
  const single = (list: string[] | null, value: string) => list !== null && list.length === 1 && list[0] === value;
  if (s.effect !== 'Allow' || s.conditions.length > 0 || s.principal === null || s.principal.anyone) return null;
  if (s.principal.aws.length !== 1 || s.principal.service.length > 0) return null;
  if (!single(s.action, 'kms:*') || !single(s.resource, '*')) return null;
  // Stryker disable next-line StringLiteral: aws has one element (checked above)
  const [arn = ''] = s.principal.aws;
  // Stryker disable next-line Regex: a parsed root principal ends at ':root', so the $ decides nothing
  return /^arn:aws:iam::(\d{12}):root$/.exec(arn)?.[1] ?? null;
}

export function compilePolicyDocument(document: PolicyDocument, kind: PolicyKind, text: string): CompiledPolicy {
  const name: PolicyName = kind;
  const statements = document.statements.map((s): CompiledStatement => {
    let principal: CompiledStatement['principal'] = () => 'direct';
    if (s.principal !== null) principal = principalMatcher(s.principal);
    else if (s.notPrincipal !== null) principal = notPrincipalMatcher(s.notPrincipal);
    return {
      ref: { policy: name, sid: s.sid, index: s.index },
      effect: s.effect,
      conditions: s.conditions,
      principal,
      action: actionMatcher(s.action, s.notAction),
      resource: resourceMatcher(s.resource, s.notResource),
      condition: compileConditions(s.conditions),
    };
  });
  // Stryker disable next-line ConditionalExpression: identity policies name no principal: null
  return { kind, text, document, statements, delegatesAllTo: kind === 'key' ? delegation(document) : null };
}

/** Parses, validates and compiles in one step. */
export function compilePolicy(text: string, kind: PolicyKind): CompiledPolicy | DomainError {
  const document = parsePolicyDocument(text, kind);
  if (!('statements' in document)) return document;
  return compilePolicyDocument(document, kind, text);
}

/** The statements of one policy that apply to a request, Allow and Deny apart. */
export function matchStatements(
  policy: CompiledPolicy,
  request: AuthorizationRequest,
  options: { ignoreConditions?: boolean } = {},
): { allows: StatementMatch[]; denies: StatementMatch[] } {
  const conditions = options.ignoreConditions !== true;
  const allows: StatementMatch[] = [];
  const denies: StatementMatch[] = [];
  for (const statement of policy.statements) {
    if (!statement.action(request.action)) continue;
    const via = statement.principal(request.principalArn, request.accountId);
    if (via === null) continue;
    if (!statement.resource(request.resource)) continue;
    if (conditions && statement.condition !== null && !statement.condition(request)) continue;
    (statement.effect === 'Allow' ? allows : denies).push({ statement, via });
  }
  return { allows, denies };
}
