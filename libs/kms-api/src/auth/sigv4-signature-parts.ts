import { KmsError } from '../protocol/kms-error.js';
import { parseQuery, singleHeader, type QueryParam, type RequestHeaders } from './sigv4-canonical.js';

/**
 * Where a request carries its SigV4 signature, read and checked for form: the
 * Authorization header or a presigned URL's X-Amz-* query parameters, the credential
 * scope, and X-Amz-Date. Every failure is an IncompleteSignatureException (or
 * MissingAuthenticationToken when there is no signature at all), with AWS's texts.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const TERMINATOR = 'aws4_request';
const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 3600;
const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The signature as the request states it, not yet checked against anything. */
export interface SignatureParts {
  credentialText: string;
  signedHeadersText: string;
  signatureText: string;
  amzDate: string;
  /** Presigned only: how long the URL stays valid. */
  expiresSeconds?: number;
  /** Presigned only: the parsed query (the signature is over it, less X-Amz-Signature). */
  params?: QueryParam[];
}

export function readSignatureParts(headers: RequestHeaders, query: string): SignatureParts {
  const authorization = singleHeader(headers, 'authorization');
  const presigned = query.includes('X-Amz-Signature=');

  if (authorization !== undefined && authorization !== '') {
    if (presigned) {
      throw KmsError.incompleteSignature(
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.',
      );
    }
    const { credential, signedHeaders, signature } = parseAuthorizationHeader(authorization);
    const amzDate = singleHeader(headers, 'x-amz-date');
    if (amzDate === undefined) {
      throw KmsError.incompleteSignature("Authorization header requires existence of a 'X-Amz-Date' header.");
    }
    return { credentialText: credential, signedHeadersText: signedHeaders, signatureText: signature, amzDate };
  }
  if (presigned) {
    const params = parseQuery(query);
    const get = (name: string) => params.find((p) => p.rawKey === name)?.rawValue;
    const algorithm = get('X-Amz-Algorithm');
    const missing = [
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-SignedHeaders',
      'X-Amz-Date',
      'X-Amz-Expires',
    ].filter((n) => get(n) === undefined);
    if (missing.length > 0) {
      throw KmsError.incompleteSignature(
        `Presigned request requires the query parameters ${missing.map((n) => `'${n}'`).join(', ')}.`,
      );
    }
    if (algorithm !== ALGORITHM) {
      throw KmsError.incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'. Only ${ALGORITHM} is accepted.`);
    }
    const expires = get('X-Amz-Expires')!;
    const expiresSeconds = /^\d{1,7}$/.test(expires) ? Number(expires) : NaN;
    if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_PRESIGNED_EXPIRES_S)) {
      throw KmsError.incompleteSignature(
        `X-Amz-Expires must be an integer from 1 to ${MAX_PRESIGNED_EXPIRES_S}, got '${expires}'.`,
      );
    }
    return {
      credentialText: get('X-Amz-Credential')!,
      signedHeadersText: get('X-Amz-SignedHeaders')!,
      signatureText: get('X-Amz-Signature')!,
      amzDate: get('X-Amz-Date')!,
      expiresSeconds,
      params,
    };
  }
  throw KmsError.missingAuthenticationToken();
}

export interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

export function parseCredential(credential: string): Credential {
  const parts = credential.split('/');
  // Stryker disable next-line StringLiteral: the defaults apply only to fewer than five parts, refused just below
  const [accessKeyId = '', date = '', region = '', service = '', terminator] = parts;
  if (parts.length !== 5) {
    throw KmsError.incompleteSignature(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  if (accessKeyId === '') throw KmsError.incompleteSignature('Credential must name an access key id.');
  if (!/^\d{8}$/.test(date)) {
    throw KmsError.incompleteSignature(`Credential date must be in the form YYYYMMDD, got '${date}'.`);
  }
  if (terminator !== TERMINATOR) {
    throw KmsError.incompleteSignature(
      `Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${terminator}'.`,
    );
  }
  return { accessKeyId, date, region, service };
}

interface AuthorizationParts {
  credential: string;
  signedHeaders: string;
  signature: string;
}

function parseAuthorizationHeader(header: string): AuthorizationParts {
  const space = header.indexOf(' ');
  const algorithm = space === -1 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw KmsError.incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'. Only ${ALGORITHM} is accepted.`);
  }
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (const item of header.slice(space + 1).split(',')) {
    const part = item.trim();
    const eq = part.indexOf('=');
    if (eq === -1) {
      if (part === '') continue;
      throw KmsError.incompleteSignature(`Authorization header parameter '${part}' is not of the form 'name=value'.`);
    }
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (name === 'Credential') credential = value;
    else if (name === 'SignedHeaders') signedHeaders = value;
    else if (name === 'Signature') signature = value;
  }
  const missing: string[] = [];
  if (credential === undefined) missing.push("Authorization header requires 'Credential' parameter.");
  if (signature === undefined) missing.push("Authorization header requires 'Signature' parameter.");
  if (signedHeaders === undefined) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (missing.length > 0) throw KmsError.incompleteSignature(missing.join(' '));
  return { credential: credential!, signedHeaders: signedHeaders!, signature: signature! };
}

// Requests signed in the same second share their X-Amz-Date: the last one read is kept.
let lastAmzDate = '';
let lastAmzMs = NaN;

/** Milliseconds since the epoch, or NaN. */
export function parseAmzDate(value: string): number {
  if (value === lastAmzDate) return lastAmzMs;
  const ms = readAmzDate(value);
  lastAmzDate = value;
  lastAmzMs = ms;
  return ms;
}

function readAmzDate(value: string): number {
  const m = AMZ_DATE_RE.exec(value);
  if (m === null) return NaN;
  // The pattern has six groups, so the defaults never apply.
  const [year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = NaN] = m.slice(1).map(Number);
  // Date.UTC would roll 20260230 over into March: such a date is refused instead.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}
