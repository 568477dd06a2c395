import { BlockList, isIP } from 'node:net';
import { arnMatcher, wildcardMatcher, type Matcher } from './wildcard.js';

/**
 * IAM's condition operators. Each base operator compiles its policy values once into a test of one request
 * value ("does it match any policy value?"); a negated operator (StringNotEquals, NotIpAddress, …) is the
 * negation of its positive twin, applied by the caller per request value. Values that cannot be what the
 * operator compares (a date that is no date, a CIDR that is none) are refused when the policy is parsed.
 */
export type OperatorKind = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

interface BaseOperator {
  kind: OperatorKind;
  negated: boolean;
  compile: (policyValues: readonly string[]) => Matcher;
}

export type SetOperator = 'ForAllValues' | 'ForAnyValue' | null;

export interface ParsedOperator {
  name: string;
  base: string;
  set: SetOperator;
  ifExists: boolean;
  kind: OperatorKind;
  negated: boolean;
  compile: (policyValues: readonly string[]) => Matcher;
}

const any =
  (matchers: Matcher[]): Matcher =>
  (value) => {
    for (const m of matchers) if (m(value)) return true;
    return false;
  };

const stringEquals = (values: readonly string[]): Matcher => {
  const set = new Set(values);
  return (value) => set.has(value);
};
const stringEqualsIgnoreCase = (values: readonly string[]): Matcher => {
  const set = new Set(values.map((v) => v.toLowerCase()));
  return (value) => set.has(value.toLowerCase());
};
const stringLike = (values: readonly string[]): Matcher => any(values.map((v) => wildcardMatcher(v, false)));
const arnLike = (values: readonly string[]): Matcher => any(values.map(arnMatcher));

export const parseNumber = (text: string): number | undefined => {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return undefined;
  return Number(text);
};
/** IAM dates: ISO 8601, or seconds since the epoch. */
export const parseDate = (text: string): number | undefined => {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
};

const numeric =
  (test: (request: number, policy: number) => boolean) =>
  (values: readonly string[]): Matcher => {
    const policy = values.map((v) => parseNumber(v) as number);
    return (value) => {
      const request = parseNumber(value);
      // Stryker disable next-line ConditionalExpression: every comparison with undefined is false too
      if (request === undefined) return false;
      for (const p of policy) if (test(request, p)) return true;
      return false;
    };
  };
const date =
  (test: (request: number, policy: number) => boolean) =>
  (values: readonly string[]): Matcher => {
    const policy = values.map((v) => parseDate(v) as number);
    return (value) => {
      const request = parseDate(value);
      // Stryker disable next-line ConditionalExpression: every comparison with undefined is false too
      if (request === undefined) return false;
      for (const p of policy) if (test(request, p)) return true;
      return false;
    };
  };

export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  // Stryker disable next-line StringLiteral: split always returns a first element, so the default is never used
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { address, prefix: Number(prefixText), family };
}

const ipAddress = (values: readonly string[]): Matcher => {
  const list = new BlockList();
  for (const v of values) {
    const cidr = parseCidr(v) as NonNullable<ReturnType<typeof parseCidr>>;
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return (value) => {
    const version = isIP(value);
    // Stryker disable next-line ConditionalExpression: BlockList.check is false for a non-address too
    return version !== 0 && list.check(value, version === 4 ? 'ipv4' : 'ipv6');
  };
};

const bool = (values: readonly string[]): Matcher => stringEqualsIgnoreCase(values);

const BASE: Record<string, BaseOperator> = {
  StringEquals: { kind: 'string', negated: false, compile: stringEquals },
  StringNotEquals: { kind: 'string', negated: true, compile: stringEquals },
  StringEqualsIgnoreCase: { kind: 'string', negated: false, compile: stringEqualsIgnoreCase },
  StringNotEqualsIgnoreCase: { kind: 'string', negated: true, compile: stringEqualsIgnoreCase },
  StringLike: { kind: 'string', negated: false, compile: stringLike },
  StringNotLike: { kind: 'string', negated: true, compile: stringLike },
  NumericEquals: { kind: 'numeric', negated: false, compile: numeric((r, p) => r === p) },
  NumericNotEquals: { kind: 'numeric', negated: true, compile: numeric((r, p) => r === p) },
  NumericLessThan: { kind: 'numeric', negated: false, compile: numeric((r, p) => r < p) },
  NumericLessThanEquals: { kind: 'numeric', negated: false, compile: numeric((r, p) => r <= p) },
  NumericGreaterThan: { kind: 'numeric', negated: false, compile: numeric((r, p) => r > p) },
  NumericGreaterThanEquals: { kind: 'numeric', negated: false, compile: numeric((r, p) => r >= p) },
  DateEquals: { kind: 'date', negated: false, compile: date((r, p) => r === p) },
  DateNotEquals: { kind: 'date', negated: true, compile: date((r, p) => r === p) },
  DateLessThan: { kind: 'date', negated: false, compile: date((r, p) => r < p) },
  DateLessThanEquals: { kind: 'date', negated: false, compile: date((r, p) => r <= p) },
  DateGreaterThan: { kind: 'date', negated: false, compile: date((r, p) => r > p) },
  DateGreaterThanEquals: { kind: 'date', negated: false, compile: date((r, p) => r >= p) },
  Bool: { kind: 'bool', negated: false, compile: bool },
  BinaryEquals: { kind: 'binary', negated: false, compile: stringEquals },
  IpAddress: { kind: 'ip', negated: false, compile: ipAddress },
  NotIpAddress: { kind: 'ip', negated: true, compile: ipAddress },
  ArnEquals: { kind: 'arn', negated: false, compile: arnLike },
  ArnNotEquals: { kind: 'arn', negated: true, compile: arnLike },
  ArnLike: { kind: 'arn', negated: false, compile: arnLike },
  ArnNotLike: { kind: 'arn', negated: true, compile: arnLike },
  Null: { kind: 'null', negated: false, compile: bool },
};

export const CONDITION_OPERATORS: readonly string[] = Object.keys(BASE);

/** `ForAnyValue:StringLikeIfExists` → its parts; undefined for anything IAM does not know. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: SetOperator = null;
  const colon = rest.indexOf(':');
  // Stryker disable next-line EqualityOperator: a name starting with ':' is unknown either way
  if (colon >= 0) {
    const prefix = rest.slice(0, colon);
    if (prefix !== 'ForAllValues' && prefix !== 'ForAnyValue') return undefined;
    set = prefix;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const base = Object.prototype.hasOwnProperty.call(BASE, rest) ? BASE[rest] : undefined;
  if (base === undefined) return undefined;
  if (base.kind === 'null' && (set !== null || ifExists)) return undefined;
  return { name, base: rest, set, ifExists, kind: base.kind, negated: base.negated, compile: base.compile };
}

/** Whether a policy value is one this kind of operator can compare. */
export function validConditionValue(kind: OperatorKind, value: string): boolean {
  switch (kind) {
    case 'numeric':
      return parseNumber(value) !== undefined;
    case 'date':
      return parseDate(value) !== undefined;
    case 'bool':
    case 'null':
      return value.toLowerCase() === 'true' || value.toLowerCase() === 'false';
    case 'ip':
      return parseCidr(value) !== undefined;
    default:
      return true;
  }
}
