import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { KmsError } from '../protocol/kms-error.js';

/**
 * AWS Signature Version 4 verification, for every signed request: the KMS API
 * (`POST /`) and the ledger API (`/v1/...`, GET with query strings). Accepts the
 * Authorization header and presigned URLs (X-Amz-* query parameters).
 *
 * Inputs are the request as it came off the wire: `path` is the raw, still
 * percent-encoded path (no query), `query` the raw query string without '?'.
 * The canonical path is built the way the AWS SDKs sign for every service but
 * S3: dot segments and empty segments removed, then URI-encoded once more
 * ("double encoding": `/a%2Fb` signs as `/a%252Fb`).
 *
 * The payload is always bound: the signature must cover SHA-256(body). A client
 * may send `x-amz-content-sha256`; it must then equal the body's hash.
 * `UNSIGNED-PAYLOAD` is not honoured (it would let a body be swapped in flight,
 * and no KMS client uses it), so such a request fails as a wrong signature.
 *
 * Every failure is a KmsError, HTTP 400, with the texts AWS's front end uses.
 * Keyledger issues no session credentials, so a request carrying a session token
 * (`X-Amz-Security-Token`, header or presigned query) carries one it did not issue:
 * UnrecognizedClientException, as AWS answers an invalid token.
 */

export interface SignedRequest {
  method: string;
  /** Raw path from the request line, percent-encoding intact, without the query. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  /** Header names in any case (Node gives lower case). */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | string;
}

export interface VerifyOptions {
  /** Whether the server serves the credential scope's region (KEYLEDGER_REGIONS). */
  acceptsRegion(region: string): boolean;
  service: 'kms';
  now: Date;
  /** Allowed clock difference between client and server; default 15 minutes as AWS. */
  maxSkewMs?: number;
  lookupSecret(accessKeyId: string): string | undefined;
}

export interface VerifiedIdentity {
  accessKeyId: string;
  /** The credential scope's region: the region the request acts in. */
  region: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 3600;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIGNATURE_RE = /^[0-9a-f]{64}$/;

// ---------------------------------------------------------------------------
// Signing keys change once a day per (secret, region, service): deriving one is
// four HMACs, so they are kept. The cache is cleared wholesale when full, which
// in practice happens only when days roll over with many principals.

const SIGNING_KEYS = new Map<string, Buffer>();
const MAX_SIGNING_KEYS = 4096;

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${date}\n${region}\n${service}\n${secret}`;
  let key = SIGNING_KEYS.get(cacheKey);
  if (key === undefined) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    key = createHmac('sha256', kService).update(TERMINATOR).digest();
    if (SIGNING_KEYS.size >= MAX_SIGNING_KEYS) SIGNING_KEYS.clear();
    SIGNING_KEYS.set(cacheKey, key);
  }
  return key;
}

/** For tests, and for a principal whose secret was revoked: forget derived keys. */
export function clearSigningKeyCache(): void {
  SIGNING_KEYS.clear();
}

// ---------------------------------------------------------------------------
// Canonical forms.

function hexByte(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
}

/** RFC 3986 encoding: everything but unreserved characters (A-Z a-z 0-9 - . _ ~). */
function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, hexByte);
}

function canonicalPath(path: string): string {
  if (path === '/' || path === '') return '/';
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  // Encoding the whole path encodes '/' too; put the separators back. An encoded
  // "%2F" in a segment became "%252F" and stays.
  return uriEscape(normalised).replace(/%2F/g, '/');
}

function decodeComponent(s: string): string {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    // Malformed escapes: keep the raw text; the signature decides.
    return s;
  }
}

function plusAsSpace(s: string): string {
  return s.indexOf('+') === -1 ? s : s.replaceAll('+', ' ');
}

interface QueryParam {
  key: string; // encoded canonically
  value: string; // encoded canonically
  rawKey: string; // decoded
  rawValue: string; // decoded
}

// '+' is a space, as the handler's query parser (fast-querystring) reads it: the signature
// must cover the values the handler sees, so that '+' and '%2B' cannot be swapped under it.
function parseQuery(query: string): QueryParam[] {
  const params: QueryParam[] = [];
  if (query === '') return params;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = decodeComponent(plusAsSpace(eq === -1 ? part : part.slice(0, eq)));
    const rawValue = eq === -1 ? '' : decodeComponent(plusAsSpace(part.slice(eq + 1)));
    params.push({ key: uriEscape(rawKey), value: uriEscape(rawValue), rawKey, rawValue });
  }
  return params;
}

function canonicalQuery(params: readonly QueryParam[], exclude?: string): string {
  const kept = exclude === undefined ? params.slice() : params.filter((p) => p.rawKey !== exclude);
  // Code-unit order of the encoded (ASCII) strings is byte order, as SigV4 requires.
  kept.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  let out = '';
  for (let i = 0; i < kept.length; i++) out += `${i === 0 ? '' : '&'}${kept[i].key}=${kept[i].value}`;
  return out;
}

function headerValue(headers: SignedRequest['headers'], lowerName: string): string | string[] | undefined {
  const direct = headers[lowerName];
  if (direct !== undefined) return direct;
  for (const name in headers) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return headers[name];
  }
  return undefined;
}

function singleHeader(headers: SignedRequest['headers'], lowerName: string): string | undefined {
  const v = headerValue(headers, lowerName);
  return Array.isArray(v) ? v[0] : v;
}

const NEEDS_CANONICALISING = /[\r\n\t]| {2}|^ | $/;

function canonicalHeaderValue(value: string): string {
  // Nearly every value is already canonical; test once instead of rewriting.
  if (!NEEDS_CANONICALISING.test(value)) return value;
  // Trim, and collapse runs of spaces (and tabs / folded line breaks) to one.
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseCredential(credential: string): Credential {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    throw KmsError.incompleteSignature(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, date, region, service, terminator] = parts;
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

/** Milliseconds since the epoch, or NaN. */
function parseAmzDate(value: string): number {
  const m = AMZ_DATE_RE.exec(value);
  if (m === null) return NaN;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = +m[4];
  const minute = +m[5];
  const second = +m[6];
  // Date.UTC would roll 20260230 over into March: such a date is refused instead.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

const formatAmzDate = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';

function formatSkew(ms: number): string {
  return ms % 60000 === 0 ? `${ms / 60000} min.` : `${ms / 1000} sec.`;
}

/**
 * Verifies a SigV4-signed request and returns who signed it. Throws KmsError:
 * MissingAuthenticationTokenException, IncompleteSignatureException,
 * UnrecognizedClientException or InvalidSignatureException.
 */
export function verifySigV4(request: SignedRequest, options: VerifyOptions): VerifiedIdentity {
  const { headers } = request;
  const authorization = singleHeader(headers, 'authorization');
  const presigned = request.query.includes('X-Amz-Signature=');

  let credentialText: string;
  let signedHeadersText: string;
  let signatureText: string;
  let amzDate: string | undefined;
  let expiresSeconds: number | undefined;
  let params: QueryParam[] | undefined;

  if (authorization !== undefined && authorization !== '') {
    if (presigned) {
      throw KmsError.incompleteSignature(
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.',
      );
    }
    ({
      credential: credentialText,
      signedHeaders: signedHeadersText,
      signature: signatureText,
    } = parseAuthorizationHeader(authorization));
    amzDate = singleHeader(headers, 'x-amz-date');
    if (amzDate === undefined) {
      throw KmsError.incompleteSignature("Authorization header requires existence of a 'X-Amz-Date' header.");
    }
  } else if (presigned) {
    params = parseQuery(request.query);
    const get = (name: string) => params!.find((p) => p.rawKey === name)?.rawValue;
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
    credentialText = get('X-Amz-Credential')!;
    signedHeadersText = get('X-Amz-SignedHeaders')!;
    signatureText = get('X-Amz-Signature')!;
    amzDate = get('X-Amz-Date')!;
    const expires = get('X-Amz-Expires')!;
    expiresSeconds = /^\d{1,7}$/.test(expires) ? Number(expires) : NaN;
    if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_PRESIGNED_EXPIRES_S)) {
      throw KmsError.incompleteSignature(
        `X-Amz-Expires must be an integer from 1 to ${MAX_PRESIGNED_EXPIRES_S}, got '${expires}'.`,
      );
    }
  } else {
    throw KmsError.missingAuthenticationToken();
  }
  if (headers['x-amz-security-token'] !== undefined || /(?:^|&)X-Amz-Security-Token=/.test(request.query))
    throw KmsError.unrecognizedClient();

  const credential = parseCredential(credentialText);
  const requestTime = parseAmzDate(amzDate);
  if (Number.isNaN(requestTime)) {
    throw KmsError.incompleteSignature(
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }

  const signedHeaders = signedHeadersText.split(';');
  if (!signedHeaders.includes('host')) {
    throw KmsError.incompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  // Unsigned, the target could be swapped in flight (the same body is valid
  // JSON for CreateAlias and UpdateAlias); every AWS SDK signs it.
  if (headerValue(headers, 'x-amz-target') !== undefined && !signedHeaders.includes('x-amz-target')) {
    throw KmsError.incompleteSignature("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
  }

  const secret = options.lookupSecret(credential.accessKeyId);
  if (secret === undefined) throw KmsError.unrecognizedClient();

  if (!options.acceptsRegion(credential.region)) {
    throw KmsError.invalidSignature(`Credential should be scoped to a valid region, not '${credential.region}'.`);
  }
  if (credential.service !== options.service) {
    throw KmsError.invalidSignature(`Credential should be scoped to correct service: '${options.service}'.`);
  }
  if (credential.date !== amzDate.slice(0, 8)) {
    throw KmsError.invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${credential.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }

  const now = options.now.getTime();
  const skew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  if (expiresSeconds === undefined && requestTime < now - skew) {
    throw KmsError.invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - skew)} (${formatAmzDate(now)} - ${formatSkew(skew)})`,
    );
  }
  if (requestTime > now + skew) {
    throw KmsError.invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + skew)} (${formatAmzDate(now)} + ${formatSkew(skew)})`,
    );
  }
  if (expiresSeconds !== undefined && requestTime + expiresSeconds * 1000 < now) {
    throw KmsError.invalidSignature(
      `Request has expired: X-Amz-Date ${amzDate} plus X-Amz-Expires ${expiresSeconds} s is earlier than ${formatAmzDate(now)}.`,
    );
  }

  // Payload.
  const body = request.body;
  const bodyHash = body.length === 0 ? EMPTY_SHA256 : hash('sha256', body, 'hex');
  let payloadHash = bodyHash;
  const declaredHash = singleHeader(headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== 'UNSIGNED-PAYLOAD') {
    if (declaredHash.toLowerCase() !== bodyHash) {
      throw KmsError.invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    payloadHash = declaredHash;
  }

  // Canonical request.
  let canonicalHeaders = '';
  for (const name of signedHeaders) {
    const value = headerValue(headers, name);
    // A header the client signed but we did not receive cannot match.
    if (value === undefined) throw KmsError.invalidSignature(SIGNATURE_MISMATCH);
    const text = Array.isArray(value) ? value.map(canonicalHeaderValue).join(',') : canonicalHeaderValue(value);
    canonicalHeaders += `${name}:${text}\n`;
  }
  const query =
    params !== undefined
      ? canonicalQuery(params, 'X-Amz-Signature')
      : request.query === ''
        ? ''
        : canonicalQuery(parseQuery(request.query));
  const method = request.method.toUpperCase();
  const rest = `${canonicalHeaders}\n${signedHeadersText}\n${payloadHash}`;
  const key = signingKey(secret, credential.date, credential.region, credential.service);
  const scope = `${credential.date}/${credential.region}/${credential.service}/${TERMINATOR}`;
  const sign = (canonicalRequest: string): Buffer =>
    // Node's HMAC, not a hand-built one: it is on every request, but a primitive is not ours to write.
    createHmac('sha256', key)
      .update(`${ALGORITHM}\n${amzDate}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`)
      .digest();

  if (!SIGNATURE_RE.test(signatureText)) throw KmsError.invalidSignature(SIGNATURE_MISMATCH);
  const given = Buffer.from(signatureText, 'hex');
  const path = canonicalPath(request.path);
  if (timingSafeEqual(sign(`${method}\n${path}\n${query}\n${rest}`), given))
    return { accessKeyId: credential.accessKeyId, region: credential.region };
  // curl before 8.x (Debian 12 ships 7.88) signs the path and query exactly as sent, unsorted and
  // not re-encoded. That text is the request's own bytes, so a signature over it binds the request
  // as tightly as the canonical one; it is tried only when the canonical form fails and differs.
  if (params === undefined && (path !== request.path || query !== request.query)) {
    if (timingSafeEqual(sign(`${method}\n${request.path}\n${request.query}\n${rest}`), given))
      return { accessKeyId: credential.accessKeyId, region: credential.region };
  }
  throw KmsError.invalidSignature(SIGNATURE_MISMATCH);
}
