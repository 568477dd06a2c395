import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { KmsError } from '../protocol/kms-error.js';
import {
  canonicalHeaderValue,
  canonicalPath,
  canonicalQuery,
  headerValue,
  parseQuery,
  singleHeader,
} from './sigv4-canonical.js';
import { ALGORITHM, parseAmzDate, parseCredential, readSignatureParts, TERMINATOR } from './sigv4-signature-parts.js';
import { signingKey } from './sigv4-signing-key.js';

export { clearSigningKeyCache } from './sigv4-signing-key.js';

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

const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const SIGNATURE_RE = /^[0-9a-f]{64}$/;

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
  const { credentialText, signedHeadersText, signatureText, amzDate, expiresSeconds, params } = readSignatureParts(
    headers,
    request.query,
  );
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
  const bodyHash = hash('sha256', body, 'hex');
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
    params !== undefined ? canonicalQuery(params, 'X-Amz-Signature') : canonicalQuery(parseQuery(request.query));
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
