import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsError } from '../protocol/kms-error.js';
import { clearSigningKeyCache, verifySigV4, type SignedRequest, type VerifyOptions } from './sigv4-verifier.js';

// Each check of verifySigV4 that a request signed with the right secret must still fail, and each form a valid
// signature may take: every one is a way in if it is missing. The signatures are built here from the canonical
// request written out, as AWS documents it, so that each test says exactly what was signed.

const ID = 'AKIAKEYLEDGERCHECK01';
const SECRET = 'check-secret-0123456789abcdef';
const NOW = new Date('2026-03-01T12:00:00Z');
const AMZ_DATE = '20260301T120000Z';
const SCOPE = `${ID}/20260301/us-east-1/kms/aws4_request`;
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access ' +
  'Key and signing method. Consult the service documentation for details.';

/** The signature over a canonical request text, with the key AWS derives for the scope of 2026-03-01. */
function signatureOver(canonical: string, amzDate = AMZ_DATE): string {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, '20260301'), 'us-east-1'), 'kms'), 'aws4_request');
  const scope = '20260301/us-east-1/kms/aws4_request';
  return createHmac('sha256', key)
    .update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonical)}`)
    .digest('hex');
}

interface Signed {
  method?: string;
  path?: string;
  query?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  /** The payload hash as signed; SHA-256 of the body when not given. */
  payload?: string;
  /** The canonical request the client signed; built from the request when not given. */
  canonical?: string;
}

/** A POST / with host, x-amz-date and whatever else is given, signed over `canonical`. */
function request(over: Signed = {}): SignedRequest {
  const body = over.body ?? '{}';
  const headers: Record<string, string | string[]> = { host: 'kms.local', 'x-amz-date': AMZ_DATE, ...over.headers };
  const names = Object.keys(headers).sort();
  const canonical =
    over.canonical ??
    `POST\n/\n\n${names.map((n) => `${n}:${String(headers[n])}\n`).join('')}\n${names.join(';')}\n${over.payload ?? sha256(body)}`;
  const authorization = `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=${names.join(';')}, Signature=${signatureOver(canonical)}`;
  return {
    method: over.method ?? 'POST',
    path: over.path ?? '/',
    query: over.query ?? '',
    headers: { ...headers, authorization },
    body,
  };
}

const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({
  acceptsRegion: (region) => region === 'us-east-1',
  service: 'kms',
  now: NOW,
  lookupSecret: (id) => (id === ID ? SECRET : undefined),
  ...over,
});
const accepted = { accessKeyId: ID, region: 'us-east-1' };

function refusal(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (!KmsError.is(e)) throw e;
    return { type: e.type, message: e.message };
  }
  throw new Error('expected a KmsError');
}
const invalid = (message: string) => ({ type: 'InvalidSignatureException', message });

beforeEach(() => clearSigningKeyCache());

describe('verifySigV4: what a valid signature may look like', () => {
  it('given a request as built here, then it is accepted (the oracle agrees with the verifier)', () => {
    expect(verifySigV4(request(), options())).toEqual(accepted);
  });

  it('given the method in lower case, then it is signed and checked in upper case', () => {
    expect(verifySigV4(request({ method: 'post' }), options())).toEqual(accepted);
  });

  it('given a signed header sent twice, then its values are signed joined by commas, each canonical', () => {
    const headers = { 'x-custom': ['a  b', ' c'] };
    const names = 'host;x-amz-date;x-custom';
    const canonical = `POST\n/\n\nhost:kms.local\nx-amz-date:${AMZ_DATE}\nx-custom:a b,c\n\n${names}\n${sha256('{}')}`;
    expect(verifySigV4(request({ headers, canonical }), options())).toEqual(accepted);
    const other = `POST\n/\n\nhost:kms.local\nx-amz-date:${AMZ_DATE}\nx-custom:a  b, c\n\n${names}\n${sha256('{}')}`;
    expect(refusal(() => verifySigV4(request({ headers, canonical: other }), options()))).toEqual(invalid(MISMATCH));
  });

  it('given x-amz-content-sha256 in upper-case hex, then it is the body hash, signed as the client sent it', () => {
    const declared = sha256('{}').toUpperCase();
    const headers = { 'x-amz-content-sha256': declared };
    expect(verifySigV4(request({ headers, payload: declared }), options())).toEqual(accepted);
    // Signed over the lower-case form instead: not what the client declared, so not what it signed.
    expect(refusal(() => verifySigV4(request({ headers, payload: sha256('{}') }), options()))).toEqual(
      invalid(MISMATCH),
    );
  });

  it('given an empty body, then the signature covers the hash of nothing', () => {
    expect(verifySigV4(request({ body: '' }), options())).toEqual(accepted);
    expect(verifySigV4({ ...request({ body: '' }), body: Buffer.alloc(0) }, options())).toEqual(accepted);
  });
});

describe('verifySigV4: what a signature from the right secret must still not pass', () => {
  it('given a header it signed that did not arrive, then the signature cannot match', () => {
    const req = request({ headers: { 'content-type': 'application/x-amz-json-1.1' } });
    delete req.headers['content-type'];
    expect(refusal(() => verifySigV4(req, options()))).toEqual(invalid(MISMATCH));
  });

  it('given a signed header that did not arrive, then its absence is not read as any value, not even "undefined"', () => {
    const req = request({ headers: { 'x-custom': 'undefined' } });
    delete req.headers['x-custom'];
    expect(refusal(() => verifySigV4(req, options()))).toEqual(invalid(MISMATCH));
  });

  it('given UNSIGNED-PAYLOAD, then the body is still bound: the signature over it does not match', () => {
    const headers = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    expect(refusal(() => verifySigV4(request({ headers, payload: 'UNSIGNED-PAYLOAD' }), options()))).toEqual(
      invalid(MISMATCH),
    );
    expect(verifySigV4(request({ headers }), options())).toEqual(accepted);
  });

  it('given a signature in upper-case hex, or not 64 hex digits, then it does not match', () => {
    const req = request();
    const auth = req.headers.authorization as string;
    const signature = /Signature=([0-9a-f]{64})$/.exec(auth)![1]!;
    for (const bad of [signature.toUpperCase(), signature.slice(2), `${signature}00`, `${signature.slice(2)}zz`]) {
      const headers = { ...req.headers, authorization: auth.replace(signature, bad) };
      expect(
        refusal(() => verifySigV4({ ...req, headers }, options())),
        bad,
      ).toEqual(invalid(MISMATCH));
    }
  });

  it('given a session token, in a header or a query, then it is one Keyledger did not issue', () => {
    const unrecognized = {
      type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
    const withHeader = request({ headers: { 'x-amz-security-token': 'token' } });
    expect(refusal(() => verifySigV4(withHeader, options()))).toEqual(unrecognized);
    for (const query of ['X-Amz-Security-Token=t', 'a=1&X-Amz-Security-Token=t']) {
      const canonical = `POST\n/\n${query}\nhost:kms.local\nx-amz-date:${AMZ_DATE}\n\nhost;x-amz-date\n${sha256('{}')}`;
      expect(
        refusal(() => verifySigV4(request({ query, canonical }), options())),
        query,
      ).toEqual(unrecognized);
    }
    // A parameter that only ends with the name is another parameter.
    const query = 'My-X-Amz-Security-Token=t';
    const canonical = `POST\n/\n${query}\nhost:kms.local\nx-amz-date:${AMZ_DATE}\n\nhost;x-amz-date\n${sha256('{}')}`;
    expect(verifySigV4(request({ query, canonical }), options())).toEqual(accepted);
  });

  it('given a date that is not ISO-8601 basic format, then the refusal quotes it', () => {
    const req = request({ headers: { 'x-amz-date': '20260230T120000Z' } });
    expect(refusal(() => verifySigV4(req, options()))).toEqual({
      type: 'IncompleteSignatureException',
      message:
        "Date must be in ISO-8601 'basic format'. Got '20260230T120000Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    });
  });

  it('given X-Amz-Target sent but not signed, then the refusal names it', () => {
    const req = request();
    req.headers['x-amz-target'] = 'TrentService.Decrypt';
    expect(refusal(() => verifySigV4(req, options()))).toEqual({
      type: 'IncompleteSignatureException',
      message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
    });
  });

  it('given a skew allowance that is not whole minutes, then it is stated in seconds; whole, in minutes', () => {
    const req = request();
    const late = refusal(() => verifySigV4(req, options({ maxSkewMs: 90_500, now: new Date(NOW.getTime() + 91_000) })));
    expect(late).toEqual(
      invalid(
        'Signature expired: 20260301T120000Z is now earlier than 20260301T120000Z (20260301T120131Z - 90.5 sec.)',
      ),
    );
    const early = refusal(() =>
      verifySigV4(req, options({ maxSkewMs: 120_000, now: new Date(NOW.getTime() - 121_000) })),
    );
    expect(early).toEqual(
      invalid(
        'Signature not yet current: 20260301T120000Z is still later than 20260301T115959Z (20260301T115759Z + 2 min.)',
      ),
    );
    expect(verifySigV4(req, options({ maxSkewMs: 90_500, now: new Date(NOW.getTime() + 90_000) }))).toEqual(accepted);
  });
});

describe('verifySigV4: the curl 7.x form (path and query signed as sent)', () => {
  const literal = (path: string, query: string) =>
    `GET\n${path}\n${query}\nhost:kms.local\nx-amz-date:${AMZ_DATE}\n\nhost;x-amz-date\n${sha256('')}`;
  const get = (path: string, query: string, canonical: string) =>
    verifySigV4({ ...request({ path, query, body: '', canonical }), method: 'GET' }, options());

  it('given only the path differing from its canonical form, then the as-sent signature is accepted', () => {
    expect(get('/v1/a%2Fb', '', literal('/v1/a%2Fb', ''))).toEqual(accepted);
  });

  it('given only the query differing from its canonical form, then the as-sent signature is accepted', () => {
    expect(get('/v1/a', 'b=1&a=2', literal('/v1/a', 'b=1&a=2'))).toEqual(accepted);
  });

  it('given a path and query already canonical, then a signature over other text is refused', () => {
    expect(refusal(() => get('/v1/a', 'a=1', literal('/v1/a', 'a=2')))).toEqual(invalid(MISMATCH));
  });
});

describe('verifySigV4: presigned URLs and time', () => {
  const signer = new SignatureV4({
    credentials: { accessKeyId: ID, secretAccessKey: SECRET },
    region: 'us-east-1',
    service: 'kms',
    sha256: class {
      private readonly h;
      constructor(secret?: Uint8Array | string) {
        this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
      }
      update(data: Uint8Array | string) {
        this.h.update(data);
      }
      async digest() {
        return new Uint8Array(this.h.digest());
      }
    } as never,
  });

  async function presigned(expiresIn: number, signedAt = NOW): Promise<SignedRequest> {
    const out = (await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: 'kms.local',
        path: '/v1/a',
        query: {},
        headers: { host: 'kms.local' },
      },
      { signingDate: signedAt, expiresIn },
    )) as unknown as { query: Record<string, string>; headers: Record<string, string> };
    const query = Object.entries(out.query)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    return { method: 'GET', path: '/v1/a', query, headers: out.headers, body: '' };
  }
  const at = (ms: number) => options({ now: new Date(NOW.getTime() + ms) });

  it('given a URL valid for an hour, then it is accepted 20 minutes on, past the skew a header is allowed', async () => {
    const url = await presigned(3600);
    expect(verifySigV4(url, at(20 * 60_000))).toEqual(accepted);
    expect(verifySigV4(url, at(3600_000))).toEqual(accepted);
    expect(refusal(() => verifySigV4(url, at(3601_000)))).toEqual(
      invalid(
        'Request has expired: X-Amz-Date 20260301T120000Z plus X-Amz-Expires 3600 s is earlier than 20260301T130001Z.',
      ),
    );
  });

  it('given a URL signed further ahead than the skew, then it is not yet current', async () => {
    const url = await presigned(600, new Date(NOW.getTime() + 16 * 60_000));
    expect(refusal(() => verifySigV4(url, options())).message).toBe(
      'Signature not yet current: 20260301T121600Z is still later than 20260301T121500Z (20260301T120000Z + 15 min.)',
    );
  });

  it('given a session token in the URL, then it is refused as unrecognised', async () => {
    const url = await presigned(600);
    expect(refusal(() => verifySigV4({ ...url, query: `${url.query}&X-Amz-Security-Token=t` }, options()))).toEqual({
      type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });
});
