import { parseOperator } from './condition-operators.js';
import type { ConditionClause } from './policy-document.js';
import { contextLookup, type AuthorizationRequest } from './request-context.js';

/** A compiled Condition element: every clause must hold (operators AND, keys AND, values OR). */
export type ConditionTest = (request: AuthorizationRequest) => boolean;

/**
 * One clause, as IAM evaluates it. A key absent from the request: `…IfExists` and `ForAllValues` hold,
 * `ForAnyValue` fails, a negated operator (StringNotEquals, ArnNotLike, NotIpAddress…) holds, any other
 * fails; `Null` tests the absence itself. A present key: a negated operator holds when the value matches
 * none of the policy's values; set operators quantify over the request's values.
 */
export function compileClause(clause: ConditionClause): ConditionTest {
  const operator = parseOperator(clause.operator);
  if (operator === undefined) throw new Error(`unparsed condition operator ${clause.operator}`);
  const lookup = contextLookup(clause.key);
  if (operator.kind === 'null') {
    const wantAbsent = clause.values.map((v) => v.toLowerCase() === 'true');
    return (request) => {
      const absent = lookup(request) === undefined;
      return wantAbsent.some((w) => w === absent);
    };
  }
  const matches = operator.compile(clause.values);
  const { negated, set, ifExists } = operator;
  const whenAbsent = ifExists || set === 'ForAllValues' || (set === null && negated);
  const test = negated ? (value: string) => !matches(value) : matches;
  if (set === 'ForAllValues') {
    return (request) => {
      const values = lookup(request);
      if (values === undefined) return whenAbsent;
      for (const v of values) if (!test(v)) return false;
      return true;
    };
  }
  if (set === 'ForAnyValue' || !negated) {
    return (request) => {
      const values = lookup(request);
      if (values === undefined) return whenAbsent;
      for (const v of values) if (test(v)) return true;
      return false;
    };
  }
  // A negated operator without a set operator: no request value may match.
  return (request) => {
    const values = lookup(request);
    if (values === undefined) return whenAbsent;
    for (const v of values) if (matches(v)) return false;
    return true;
  };
}

export function compileConditions(clauses: readonly ConditionClause[]): ConditionTest | null {
  if (clauses.length === 0) return null;
  const tests = clauses.map(compileClause);
  const [only] = tests;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: fast path; the loop gives the same answer
  if (only !== undefined && tests.length === 1) return only;
  return (request) => {
    for (const t of tests) if (!t(request)) return false;
    return true;
  };
}
