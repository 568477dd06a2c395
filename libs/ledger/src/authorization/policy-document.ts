import { DomainError } from '../domain-error.js';
import { parseOperator, validConditionValue } from './condition-operators.js';

/**
 * The policy grammar AWS KMS and IAM accept: Version, Id, Statement (one or a list) with Sid, Effect,
 * Principal/NotPrincipal, Action/NotAction, Resource/NotResource and Condition. Parsing normalises the
 * shorthand forms (a string for a one-element list, an account id for its root ARN) so evaluation reads
 * one shape. A key policy must name principals; an identity policy must not.
 */
export type PolicyKind = 'key' | 'identity';
export type Effect = 'Allow' | 'Deny';

export interface PrincipalSet {
  /** `"*"` or `{"AWS": "*"}`: everyone. */
  anyone: boolean;
  /** ARNs; an account id is stored as its root ARN. */
  aws: string[];
  /** Service principals: accepted as AWS does, matched by no Keyledger principal. */
  service: string[];
}

export interface ConditionClause {
  operator: string;
  key: string;
  values: string[];
}

export interface PolicyStatement {
  index: number;
  sid: string | null;
  effect: Effect;
  principal: PrincipalSet | null;
  notPrincipal: PrincipalSet | null;
  action: string[] | null;
  notAction: string[] | null;
  resource: string[] | null;
  notResource: string[] | null;
  conditions: ConditionClause[];
}

export interface PolicyDocument {
  version: string | null;
  id: string | null;
  statements: PolicyStatement[];
}

/** The key policy size quota (not adjustable in AWS). */
export const MAX_KEY_POLICY_BYTES = 32_768;

export const POLICY_TEXTS = {
  json: 'The policy is not in the valid JSON format.',
  principals: 'Policy contains a statement with one or more invalid principals.',
  noPrincipal: 'Policy document should not specify a principal.',
  needsPrincipal: 'Each statement in the key policy must contain one or more principals.',
  actions: 'Policy statement must contain actions.',
  resources: 'Policy statement must contain resources.',
  lockout: 'The new key policy will not allow you to update the key policy in the future.',
} as const;

const malformed = (message: string): DomainError => new DomainError('MalformedPolicyDocument', message);

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ACCOUNT_RE = /^\d{12}$/;
const IAM_ARN_RE = /^arn:aws[a-z-]*:iam::(\d{12}):(root|(user|role|group)\/[\w+=,.@/-]+)$/;
const STS_ARN_RE = /^arn:aws[a-z-]*:sts::(\d{12}):(assumed-role|federated-user)\/[\w+=,.@/:-]+$/;
const SERVICE_RE = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const ACTION_RE = /^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)$/i;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw malformed(`Policy contains a statement with an empty ${what} element.`);
  for (const item of list) {
    if (typeof item !== 'string' || item === '') {
      throw malformed(`Policy contains a statement with an invalid ${what} element.`);
    }
  }
  return list as string[];
}

/**
 * AWS principal values: `*`, an account id, or an IAM/STS ARN; wildcards only as the whole value (the ARN
 * patterns admit neither `*` nor `?`).
 */
export function normalizeAwsPrincipal(value: string): string | undefined {
  if (value === '*') return '*';
  if (ACCOUNT_RE.test(value)) return `arn:aws:iam::${value}:root`;
  if (IAM_ARN_RE.test(value) || STS_ARN_RE.test(value)) return value;
  return undefined;
}

function principalSet(value: unknown): PrincipalSet {
  if (value === '*') return { anyone: true, aws: [], service: [] };
  if (!isObject(value)) throw malformed(POLICY_TEXTS.principals);
  const set: PrincipalSet = { anyone: false, aws: [], service: [] };
  const entries = Object.entries(value);
  if (entries.length === 0) throw malformed(POLICY_TEXTS.principals);
  for (const [type, raw] of entries) {
    if (type !== 'AWS' && type !== 'Service') throw malformed(POLICY_TEXTS.principals);
    const items = Array.isArray(raw) ? raw : [raw];
    if (items.length === 0) throw malformed(POLICY_TEXTS.principals);
    for (const item of items) {
      if (typeof item !== 'string') throw malformed(POLICY_TEXTS.principals);
      if (type === 'Service') {
        if (!SERVICE_RE.test(item)) throw malformed(POLICY_TEXTS.principals);
        set.service.push(item);
        continue;
      }
      const arn = normalizeAwsPrincipal(item);
      if (arn === undefined) throw malformed(POLICY_TEXTS.principals);
      if (arn === '*') set.anyone = true;
      else set.aws.push(arn);
    }
  }
  return set;
}

function conditions(value: unknown): ConditionClause[] {
  if (!isObject(value)) throw malformed('Policy contains a statement with an invalid Condition element.');
  const clauses: ConditionClause[] = [];
  for (const [operatorName, block] of Object.entries(value)) {
    const operator = parseOperator(operatorName);
    if (operator === undefined) throw malformed(`Policy contains an unknown condition operator: ${operatorName}.`);
    if (!isObject(block) || Object.keys(block).length === 0) {
      throw malformed(`Policy contains an invalid condition block for ${operatorName}.`);
    }
    for (const [key, raw] of Object.entries(block)) {
      const items = Array.isArray(raw) ? raw : [raw];
      if (key === '' || items.length === 0)
        throw malformed(`Policy contains an invalid condition for ${operatorName}.`);
      const values: string[] = [];
      for (const item of items) {
        if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
          throw malformed(`Policy contains an invalid value for condition key ${key}.`);
        }
        const text = String(item);
        if (!validConditionValue(operator.kind, text)) {
          throw malformed(`Policy contains an invalid value for ${operatorName} on condition key ${key}: ${text}.`);
        }
        values.push(text);
      }
      clauses.push({ operator: operatorName, key, values });
    }
  }
  return clauses;
}

function either<T>(
  statement: Record<string, unknown>,
  positive: string,
  negative: string,
  read: (v: unknown) => T,
): [T | null, T | null] {
  const has = positive in statement;
  const hasNot = negative in statement;
  if (has && hasNot) throw malformed(`Policy contains a statement with both ${positive} and ${negative}.`);
  return [has ? read(statement[positive]) : null, hasNot ? read(statement[negative]) : null];
}

function actions(value: unknown): string[] {
  const list = stringList(value, 'Action');
  for (const action of list) {
    if (!ACTION_RE.test(action)) throw malformed(`Policy contains an invalid action: ${action}.`);
  }
  return list;
}

function statement(raw: unknown, index: number, kind: PolicyKind): PolicyStatement {
  if (!isObject(raw)) throw malformed('Policy contains a statement that is not a JSON object.');
  for (const field of Object.keys(raw)) {
    if (!STATEMENT_FIELDS.has(field)) throw malformed(`Policy contains a statement with an unknown element: ${field}.`);
  }
  const sid = raw.Sid;
  if (sid !== undefined && (typeof sid !== 'string' || !/^[A-Za-z0-9 _.,:;!@#%&*()+=\-/]*$/.test(sid))) {
    throw malformed('Policy contains a statement with an invalid Sid.');
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    throw malformed('Policy contains a statement with an invalid Effect: it must be Allow or Deny.');
  }
  const [principal, notPrincipal] = either(raw, 'Principal', 'NotPrincipal', principalSet);
  if (kind === 'identity' && (principal !== null || notPrincipal !== null)) throw malformed(POLICY_TEXTS.noPrincipal);
  if (kind === 'key' && principal === null && notPrincipal === null) throw malformed(POLICY_TEXTS.needsPrincipal);
  const [action, notAction] = either(raw, 'Action', 'NotAction', actions);
  if (action === null && notAction === null) throw malformed(POLICY_TEXTS.actions);
  const [resource, notResource] = either(raw, 'Resource', 'NotResource', (v) => stringList(v, 'Resource'));
  if (resource === null && notResource === null) throw malformed(POLICY_TEXTS.resources);
  return {
    index,
    sid: typeof sid === 'string' ? sid : null,
    effect: raw.Effect,
    principal,
    notPrincipal,
    action,
    notAction,
    resource,
    notResource,
    conditions: raw.Condition === undefined ? [] : conditions(raw.Condition),
  };
}

/** Parses and validates a policy; a DomainError('MalformedPolicyDocument') says what is wrong. */
export function parsePolicyDocument(text: string, kind: PolicyKind): PolicyDocument | DomainError {
  try {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // json stays undefined, refused as not JSON just below.
    }
    if (!isObject(json)) return malformed(POLICY_TEXTS.json);
    for (const field of Object.keys(json)) {
      if (!TOP_LEVEL.has(field)) return malformed(`Policy contains an unknown element: ${field}.`);
    }
    const version = json.Version;
    if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
      return malformed('The policy Version must be 2012-10-17 or 2008-10-17.');
    }
    if (json.Id !== undefined && typeof json.Id !== 'string') return malformed('The policy Id must be a string.');
    if (json.Statement === undefined) return malformed('The policy must contain a Statement.');
    const raws = Array.isArray(json.Statement) ? json.Statement : [json.Statement];
    if (raws.length === 0) return malformed('The policy must contain a Statement.');
    return {
      version: version ?? null,
      id: (json.Id as string | undefined) ?? null,
      statements: raws.map((raw, index) => statement(raw, index, kind)),
    };
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: only malformed() throws in the try
    if (error instanceof DomainError) return error;
    throw error;
  }
}
