import { validation, serialization } from './ledger-api-errors.js';

/** Fastify's parsed query: a repeated parameter arrives as an array. */
export type RawQuery = Record<string, string | string[] | undefined>;

export function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw validation(`Query parameter '${name}' may be given once`);
  return value === '' ? undefined : value;
}

// ISO 8601 as the API documents it: a date, or a date and time with an optional fraction and zone.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseTime(raw: unknown, name: string): Date {
  // An unencoded '+' of a zone offset arrives as a space from the query string parser.
  const value = typeof raw === 'string' ? raw.replace(/ (\d{2}:?\d{2})$/, '+$1') : raw;
  if (typeof value !== 'string' || !ISO_TIME.test(value))
    throw validation(`${name} must be an ISO 8601 time, e.g. 2025-01-31T12:00:00Z`);
  // A time without a zone is UTC here, not the server's local time.
  const zoned = value.length > 10 && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw validation(`${name} is not a valid time: ${value}`);
  return new Date(ms);
}

export function optionalTime(value: string | undefined, name: string, fallback: () => Date): Date;
export function optionalTime(value: string | undefined, name: string): Date | undefined;
export function optionalTime(value: string | undefined, name: string, fallback?: () => Date): Date | undefined {
  return value === undefined ? fallback?.() : parseTime(value, name);
}

export function optionalInteger(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max)
    throw validation(`${name} must be an integer from ${min} to ${max}`);
  return Number(value);
}

export type Format = 'json' | 'csv';

export function format(query: RawQuery): Format {
  const value = single(query, 'format') ?? 'json';
  if (value !== 'json' && value !== 'csv') throw validation(`format must be json or csv`);
  return value;
}

export function jsonBody(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw serialization('The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw serialization('The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** AWS's largest CiphertextBlob. */
const MAX_CIPHERTEXT_BYTES = 6144;

export function ciphertextBlob(value: unknown, name: string): Buffer {
  if (typeof value !== 'string' || value === '' || !BASE64.test(value))
    throw validation(`${name} must be a non-empty base64 string`);
  const blob = Buffer.from(value, 'base64');
  if (blob.length > MAX_CIPHERTEXT_BYTES) throw validation(`${name} must be at most ${MAX_CIPHERTEXT_BYTES} bytes`);
  return blob;
}
