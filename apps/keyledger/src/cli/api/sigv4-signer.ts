import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for the ledger API, on node:crypto alone: the AWS
 * SDK's signer is only a dev dependency here, and a production install of the
 * CLI must be able to talk to a server. It signs exactly what the server's
 * verifier (libs/kms-api/src/auth/sigv4-verifier.ts) checks: host, x-amz-date,
 * x-amz-content-sha256 and content-type, the payload hash, a double-encoded
 * path and a sorted query.
 */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RequestToSign {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986: everything but A-Z a-z 0-9 - . _ ~ is percent-encoded. */
export function uriEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A path made of segments, each encoded once on the wire (it is encoded again for signing). */
export function encodePath(segments: string[]): string {
  return `/${segments.map(uriEscape).join('/')}`;
}

/** The query as sent: canonical already (encoded, sorted), so the wire and the signature cannot disagree. */
export function canonicalQuery(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => [uriEscape(k), uriEscape(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Returns the headers to send: the request's own plus the signature's. */
export function signRequest(
  request: RequestToSign,
  credentials: SigningCredentials,
  region: string,
  now: Date = new Date(),
  service = 'kms',
): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(request.body);
  const headers: Record<string, string> = {
    ...request.headers,
    host: request.url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': payloadHash,
  };
  const lowered = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalHeaders = lowered.map(([name, value]) => `${name}:${value}\n`).join('');
  const signedHeaders = lowered.map(([name]) => name).join(';');
  // Every service but S3 signs the path encoded a second time: '/a%2Fb' as '/a%252Fb'.
  const canonicalPath = uriEscape(request.url.pathname).replace(/%2F/g, '/');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath,
    request.url.search.replace(/^\?/, ''),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service),
    'aws4_request',
  );
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  delete headers.host; // fetch sets Host from the URL itself; the value signed is the same.
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
