import { decodeBase64Strict } from './blob.js';
import { KmsError } from './kms-error.js';
import {
  isOperationName,
  KMS_TARGET_PREFIX,
  OPERATIONS,
  type OperationInput,
  type OperationName,
} from './operations.js';
import { compilePattern, fieldsOf, type ListShape, type Shape, type StringShape } from './shapes.js';

/**
 * Request parsing for the KMS JSON 1.1 protocol.
 *
 * The rules are the `@Member` declarations on the request DTOs (request-dtos.ts);
 * they are compiled once, here, into plain closures because this runs on every
 * Decrypt: class-validator's `validateSync` costs several times more per request
 * and formats errors in its own way, while AWS's wording must be reproduced. A
 * spec (validation.spec.ts) checks the compiled rules and class-validator agree.
 *
 * Error classes, as AWS's JSON 1.1 front end splits them:
 * - the body is not a JSON object, a member has the wrong JSON type, a blob is not
 *   canonical padded base64 → SerializationException (first problem only);
 * - model constraints (required, lengths, ranges, patterns, enums) → ValidationException,
 *   all violations counted: "2 validation errors detected: …; …".
 * Blob lengths are checked on the decoded bytes, and blob values are never echoed
 * (AWS omits sensitive values like Plaintext; Keyledger omits every blob).
 * Members set to JSON null count as absent; unknown members are ignored.
 *
 * One rule for text: every string member (map keys and values and list members
 * included) must be well-formed Unicode. A lone UTF-16 surrogate (`"\ud800"`) has no
 * UTF-8 encoding: encoded, it becomes U+FFFD, so two different encryption contexts
 * would bind the same AAD, and a stored description would not read back as sent.
 * It is refused everywhere, as a ValidationException, rather than accepted in some
 * members and a 500 in others.
 *
 * Members of the model Keyledger does not honour are refused (UnsupportedOperation),
 * never ignored: ignoring them answers as if they had been honoured (REFUSED_MEMBERS).
 */

type Violations = string[];
type Converter = (value: unknown, path: string, violations: Violations) => unknown;
type StructConverter = (
  obj: Record<string, unknown>,
  prefix: string,
  violations: Violations,
) => Record<string, unknown>;

function jsonToken(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'STRING_VALUE';
    case 'number':
      return 'NUMBER_VALUE';
    case 'boolean':
      return value ? 'TRUE_VALUE' : 'FALSE_VALUE';
    default:
      return 'VALUE';
  }
}

function typeMismatch(value: unknown, expected: string, path: string): KmsError {
  if (Array.isArray(value)) return KmsError.serialization(`Start of list found where not expected (at '${path}').`);
  if (typeof value === 'object' && value !== null) {
    return KmsError.serialization(`Start of structure or map found where not expected (at '${path}').`);
  }
  return KmsError.serialization(`${jsonToken(value)} cannot be converted to ${expected} (at '${path}').`);
}

const violation = (value: string | undefined, path: string, constraint: string): string =>
  value === undefined
    ? `Value at '${path}' failed to satisfy constraint: ${constraint}`
    : `Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`;

/** Constraint texts a string breaks, in the order AWS lists them (pattern, then length, then enum). */
function stringConstraintFailures(shape: StringShape, re: RegExp | undefined, s: string, out: string[]): void {
  if (re !== undefined && !re.test(s)) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  if (shape.max !== undefined && s.length > shape.max)
    out.push(`Member must have length less than or equal to ${shape.max}`);
  if (shape.min !== undefined && s.length < shape.min)
    out.push(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.enum !== undefined && !shape.enum.includes(s))
    out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
}

// Native in Node 20 (ES2024), not yet in the ES2023 typings.
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
const ILL_FORMED = 'Member must be well-formed Unicode text (a lone UTF-16 surrogate has no UTF-8 encoding)';

/** The one check of the text rule; the value is not echoed (it cannot be shown as sent). */
function checkWellFormed(value: string, path: string, violations: Violations): void {
  if (!isWellFormed(value)) violations.push(violation(undefined, path, ILL_FORMED));
}

function compileString(shape: StringShape): Converter {
  const re = shape.pattern === undefined ? undefined : compilePattern(shape.pattern);
  const failures: string[] = [];
  return (value, path, violations) => {
    if (typeof value !== 'string') throw typeMismatch(value, 'String', path);
    if (!isWellFormed(value)) {
      checkWellFormed(value, path, violations);
      return value;
    }
    stringConstraintFailures(shape, re, value, failures);
    for (const f of failures) violations.push(violation(value, path, f));
    failures.length = 0;
    return value;
  };
}

function compileShape(shape: Shape): Converter {
  switch (shape.kind) {
    case 'string':
      return compileString(shape);
    case 'integer':
      return (value, path, violations) => {
        // Java int: AWS refuses what does not fit rather than truncating it.
        if (typeof value !== 'number' || !Number.isInteger(value) || value > 2147483647 || value < -2147483648) {
          throw typeMismatch(value, 'Integer', path);
        }
        if (value > shape.max) {
          violations.push(violation(String(value), path, `Member must have value less than or equal to ${shape.max}`));
        } else if (value < shape.min) {
          violations.push(
            violation(String(value), path, `Member must have value greater than or equal to ${shape.min}`),
          );
        }
        return value;
      };
    case 'boolean':
      return (value, path) => {
        if (typeof value !== 'boolean') throw typeMismatch(value, 'Boolean', path);
        return value;
      };
    case 'timestamp':
      return (value, path) => {
        // JSON 1.1 timestamps are epoch seconds, possibly fractional.
        if (typeof value !== 'number') throw typeMismatch(value, 'Timestamp', path);
        const date = new Date(value * 1000);
        if (Number.isNaN(date.getTime())) throw KmsError.serialization(`Timestamp out of range (at '${path}').`);
        return date;
      };
    case 'blob':
      return (value, path, violations) => {
        if (typeof value !== 'string') throw typeMismatch(value, 'Blob', path);
        const bytes = decodeBase64Strict(value);
        if (bytes === undefined) {
          throw KmsError.serialization(
            `Invalid base64 (at '${path}'): blobs must be standard base64 with padding (RFC 4648).`,
          );
        }
        if (bytes.length > shape.max) {
          violations.push(violation(undefined, path, `Member must have length less than or equal to ${shape.max}`));
        } else if (bytes.length < shape.min) {
          violations.push(violation(undefined, path, `Member must have length greater than or equal to ${shape.min}`));
        }
        return bytes;
      };
    case 'map': {
      // EncryptionContext entries have no model constraints: the text rule alone, without the per-entry work.
      // Stryker disable all: the model's one map (the only one parseRequest reaches) is unconstrained: both sides agree
      const constrained = (sh: StringShape) =>
        sh.min !== undefined || sh.max !== undefined || sh.pattern !== undefined || sh.enum !== undefined;
      const checkKey = constrained(shape.key) ? compileString(shape.key) : checkWellFormed;
      const checkValue = constrained(shape.value) ? compileString(shape.value) : checkWellFormed;
      // Stryker restore all
      return (value, path, violations) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw typeMismatch(value, 'Map', path);
        const out: Record<string, string> = {};
        for (const k of Object.keys(value)) {
          const v = (value as Record<string, unknown>)[k];
          if (typeof v !== 'string') throw typeMismatch(v, 'String', `${path}.${k}`);
          checkKey(k, `${path}.key`, violations);
          checkValue(v, `${path}.value`, violations);
          // A plain assignment of "__proto__" would change the prototype and drop the
          // entry: an encryption context must keep every pair it was given.
          if (k === '__proto__')
            Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
          else out[k] = v;
        }
        return out;
      };
    }
    case 'list':
      return compileList(shape);
    case 'structure': {
      let convert: StructConverter | undefined;
      return (value, path, violations) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          throw typeMismatch(value, 'Structure', path);
        // Stryker disable next-line AssignmentOperator: compiling again gives the same converter; ??= keeps the first
        convert ??= compileStructure(shape.type());
        return convert(value as Record<string, unknown>, `${path}.`, violations);
      };
    }
  }
}

const echoList = (items: readonly unknown[]): string => `[${items.join(', ')}]`;

function compileList(shape: ListShape): Converter {
  const member = shape.member;
  const memberString = member.kind === 'string' ? member : undefined;
  // Stryker disable next-line all: no list of the model has members with a pattern (validation.spec.ts would see one)
  const memberRe = memberString?.pattern === undefined ? undefined : compilePattern(memberString.pattern);
  // Used for members other than strings; compiled for strings too, unused, rather than choose.
  const convertMember = compileShape(member);
  return (value, path, violations) => {
    if (!Array.isArray(value)) throw typeMismatch(value, 'List', path);
    if (shape.max !== undefined && value.length > shape.max) {
      violations.push(violation(echoList(value), path, `Member must have length less than or equal to ${shape.max}`));
    } else if (shape.min !== undefined && value.length < shape.min) {
      // Stryker disable all: unreachable for the model, whose one list with a least length (GrantTokenList) has 0
      violations.push(
        violation(echoList(value), path, `Member must have length greater than or equal to ${shape.min}`),
      );
      // Stryker restore all
    }
    const out = new Array<unknown>(value.length);
    if (memberString !== undefined) {
      // AWS reports scalar members' failures once, on the list:
      // "Member must satisfy constraint: [Member must …, Member must …]".
      const failed = new Set<string>();
      const scratch: string[] = [];
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (typeof item !== 'string') throw typeMismatch(item, 'String', `${path}.${i + 1}.member`);
        if (!isWellFormed(item)) {
          checkWellFormed(item, `${path}.${i + 1}.member`, violations);
          out[i] = item;
          continue;
        }
        stringConstraintFailures(memberString, memberRe, item, scratch);
        for (const f of scratch) failed.add(f);
        scratch.length = 0;
        out[i] = item;
      }
      if (failed.size > 0)
        violations.push(
          violation(echoList(value), path, `Member must satisfy constraint: [${[...failed].join(', ')}]`),
        );
    } else {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const itemPath = `${path}.${i + 1}.member`;
        if (item === null || item === undefined) throw KmsError.serialization(`Null list member (at '${itemPath}').`);
        out[i] = convertMember(item, itemPath, violations);
      }
    }
    return out;
  };
}

function compileStructure(dto: object): StructConverter {
  const fields = fieldsOf(dto).map((f) => ({ ...f, convert: compileShape(f.shape) }));
  return (obj, prefix, violations) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const raw = obj[f.wireName];
      const path = prefix + f.memberName;
      if (raw === undefined || raw === null) {
        if (f.required)
          violations.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
        continue;
      }
      out[f.wireName] = f.convert(raw, path, violations);
    }
    return out;
  };
}

export function formatViolations(violations: readonly string[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`;
}

const RECIPIENT_REFUSED =
  'Recipient is not supported: Keyledger does not verify Nitro Enclaves attestation documents, so it cannot ' +
  'return CiphertextForRecipient, and it will not return the plaintext in the clear instead.';

/**
 * Model members Keyledger does not honour, per operation, with why: `Recipient`
 * wherever the model has it.
 */
const REFUSED_MEMBERS = new Map<string, ReadonlyArray<readonly [string, string]>>();
for (const [name, def] of Object.entries(OPERATIONS)) {
  const refused: Array<readonly [string, string]> = [];
  if (fieldsOf(def.request).some((f) => f.wireName === 'Recipient')) refused.push(['Recipient', RECIPIENT_REFUSED]);
  if (refused.length > 0) REFUSED_MEMBERS.set(name, refused);
}

// Compiled at load so that the first request pays nothing extra.
const COMPILED = new Map<string, StructConverter>();
for (const [name, def] of Object.entries(OPERATIONS)) COMPILED.set(name, compileStructure(def.request));

export type ParsedRequest = { [O in OperationName]: { operation: O; input: OperationInput<O> } }[OperationName];

function unknownOperation(name: string): KmsError {
  // Only echo what looks like an operation name: the header is attacker-chosen.
  const shown = /^[A-Za-z0-9._-]{1,128}$/.test(name) ? name : '<invalid>';
  return KmsError.unknownOperation(`Operation ${shown} is not supported.`);
}

/** `X-Amz-Target: TrentService.Encrypt` → `Encrypt`. */
export function parseTarget(target: string | string[] | undefined): OperationName {
  const value = Array.isArray(target) ? target[0] : target;
  if (value === undefined || value === '') throw KmsError.unknownOperation('Missing X-Amz-Target header.');
  if (!value.startsWith(KMS_TARGET_PREFIX)) throw unknownOperation(value);
  const name = value.slice(KMS_TARGET_PREFIX.length);
  if (!isOperationName(name)) throw unknownOperation(name);
  return name;
}

function toObject(body: unknown): Record<string, unknown> {
  let value = body;
  if (value === undefined) return {};
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const text =
      typeof value === 'string'
        ? value
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
    // The SDKs send "{}" for an empty input; a missing body means the same.
    if (text.trim() === '') return {};
    try {
      value = JSON.parse(text);
    } catch {
      throw KmsError.serialization('The request body is not valid JSON.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw KmsError.serialization('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/**
 * Validates the body of a KMS request and returns its typed input: AWS member
 * names (`KeyId`, `Plaintext`), Buffers for blobs, Dates for timestamps, only the
 * members the model knows and the client sent. `body` is the parsed JSON, or the
 * raw JSON text/bytes.
 */
export function parseRequest<O extends OperationName>(
  operation: O,
  body: unknown,
): { operation: O; input: OperationInput<O> };
export function parseRequest(operation: string, body: unknown): ParsedRequest;
export function parseRequest(operation: string, body: unknown): ParsedRequest {
  // A Map has no inherited keys: only an operation's own name finds a converter.
  const convert = COMPILED.get(operation);
  if (convert === undefined) throw unknownOperation(operation);
  const obj = toObject(body);
  const violations: string[] = [];
  const input = convert(obj, '', violations);
  if (violations.length > 0) throw KmsError.validation(formatViolations(violations));
  for (const [member, why] of REFUSED_MEMBERS.get(operation) ?? []) {
    if (input[member] !== undefined) throw KmsError.unsupportedOperation(why);
  }
  const check = OPERATIONS[operation as OperationName].check as ((input: unknown) => void) | undefined;
  check?.(input);
  return { operation, input } as ParsedRequest;
}
