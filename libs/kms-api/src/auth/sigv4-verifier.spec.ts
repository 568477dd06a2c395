import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearSigningKeyCache, verifySigV4, type SignedRequest, type VerifyOptions } from './sigv4-verifier.js';
import { thrownKmsError } from '../testing/thrown-kms-error.js';

const toBytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

// @aws-crypto/sha256-js is not installed: the same contract on node:crypto.
class Sha256 {
  private h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {}
}

const ACCESS_KEY_ID = 'AKIAKEYLEDGERTEST01';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SIGNED_AT = new Date('2026-03-01T12:00:00Z');

// applyChecksum is left at its default (true), as the KMS client leaves it: the SDK
// then also sends and signs x-amz-content-sha256.
const signer = (
  region = 'us-east-1',
  service = 'kms',
  secret = SECRET,
  accessKeyId = ACCESS_KEY_ID,
  applyChecksum?: boolean,
) =>
  new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret },
    region,
    service,
    sha256: Sha256,
    applyChecksum,
  });

interface Outgoing {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[]>;
  headers: Record<string, string>;
  body?: string;
}

const kmsPost = (body = '{"KeyId":"alias/app","Plaintext":"aGVsbG8="}', target = 'TrentService.Encrypt'): Outgoing => ({
  method: 'POST',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: 8080,
  path: '/',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': target,
    host: '127.0.0.1:8080',
    'content-length': String(Buffer.byteLength(body)),
  },
  body,
});

const ledgerGet = (): Outgoing => ({
  method: 'GET',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: 8080,
  path: '/v1/keys/abc%2Fdef/events',
  query: { asOf: '2026-01-01T00:00:00Z', b: '1', a: '2' },
  headers: { host: '127.0.0.1:8080' },
});

const RAW_LEDGER_QUERY = 'asOf=2026-01-01T00%3A00%3A00Z&b=1&a=2';

async function sign(req: Outgoing, s = signer(), signingDate = SIGNED_AT): Promise<SignedRequest> {
  const signed = (await s.sign(req as never, { signingDate })) as unknown as Outgoing;
  return { method: signed.method, path: req.path, query: '', headers: { ...signed.headers }, body: req.body ?? '' };
}

const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({
  acceptsRegion: (region) => region === 'us-east-1',
  service: 'kms',
  now: SIGNED_AT,
  lookupSecret: (id) => (id === ACCESS_KEY_ID ? SECRET : undefined),
  ...over,
});

beforeEach(() => clearSigningKeyCache());

describe('verifySigV4 with requests signed by @smithy/signature-v4', () => {
  it('accepts a KMS JSON POST signed as the AWS SDK signs it', async () => {
    const req = await sign(kmsPost());
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAKEYLEDGERTEST01\/20260301\/us-east-1\/kms\/aws4_request, SignedHeaders=.*x-amz-target/,
    );
    expect(verifySigV4(req, options())).toEqual({ accessKeyId: ACCESS_KEY_ID, region: 'us-east-1' });
    // Twice: the second time through the cached signing key.
    expect(verifySigV4(req, options())).toEqual({ accessKeyId: ACCESS_KEY_ID, region: 'us-east-1' });
  });

  it('accepts a Buffer body', async () => {
    const req = await sign(kmsPost());
    expect(verifySigV4({ ...req, body: Buffer.from(req.body as string) }, options()).accessKeyId).toBe(ACCESS_KEY_ID);
  });

  it('accepts a GET with an encoded path segment and an unsorted query string', async () => {
    const req = await sign(ledgerGet());
    expect(verifySigV4({ ...req, query: RAW_LEDGER_QUERY }, options()).accessKeyId).toBe(ACCESS_KEY_ID);
  });

  it('canonicalises the path as the SDK does (double encoding, dot segments)', async () => {
    const out = { ...ledgerGet(), path: '/v1/keys/./a%20b/../c%2Fd/events/', query: { 'x y': 'a+b', k: ['2', '1'] } };
    const req = await sign(out);
    expect(verifySigV4({ ...req, query: 'k=2&x%20y=a%2Bb&k=1' }, options()).accessKeyId).toBe(ACCESS_KEY_ID);
  });

  it('rejects a GET whose path or query differs from what was signed', async () => {
    const req = await sign(ledgerGet());
    expect(
      thrownKmsError(() => verifySigV4({ ...req, query: 'asOf=2026-01-01T00%3A00%3A00Z&b=1&a=3' }, options())).type,
    ).toBe('InvalidSignatureException');
    expect(
      thrownKmsError(() => verifySigV4({ ...req, path: '/v1/keys/abc/def/events', query: RAW_LEDGER_QUERY }, options()))
        .type,
    ).toBe('InvalidSignatureException');
  });

  it('accepts a presigned GET URL and rejects it once expired', async () => {
    const presigned = (await signer().presign(ledgerGet() as never, {
      signingDate: SIGNED_AT,
      expiresIn: 600,
    })) as unknown as Outgoing;
    const query = Object.entries(presigned.query!)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v as string)}`)
      .join('&');
    const req: SignedRequest = { method: 'GET', path: presigned.path, query, headers: presigned.headers, body: '' };
    expect(req.headers.authorization).toBeUndefined();
    expect(verifySigV4(req, options({ now: new Date(SIGNED_AT.getTime() + 599_000) })).accessKeyId).toBe(ACCESS_KEY_ID);
    const late = thrownKmsError(() => verifySigV4(req, options({ now: new Date(SIGNED_AT.getTime() + 601_000) })));
    expect(late.type).toBe('InvalidSignatureException');
    expect(late.message).toMatch(/expired/);
    const tampered = thrownKmsError(() => verifySigV4({ ...req, query: query.replace('b=1', 'b=9') }, options()));
    expect(tampered.type).toBe('InvalidSignatureException');
  });
});

describe('verifySigV4 failures', () => {
  it('MissingAuthenticationTokenException without Authorization header or presigned query', () => {
    const e = thrownKmsError(() =>
      verifySigV4({ method: 'POST', path: '/', query: '', headers: { host: 'h' }, body: '{}' }, options()),
    );
    expect(e.type).toBe('MissingAuthenticationTokenException');
    expect(e.statusCode).toBe(400);
    expect(e.message).toBe('Request is missing Authentication Token');
  });

  it('IncompleteSignatureException for malformed Authorization headers', async () => {
    const req = await sign(kmsPost());
    const auth = req.headers.authorization as string;
    const withAuth = (a: string) => ({ ...req, headers: { ...req.headers, authorization: a } });

    const noSig = thrownKmsError(() => verifySigV4(withAuth(auth.replace(/, Signature=[0-9a-f]+/, '')), options()));
    expect(noSig.type).toBe('IncompleteSignatureException');
    expect(noSig.message).toBe("Authorization header requires 'Signature' parameter.");

    expect(
      thrownKmsError(() => verifySigV4(withAuth(auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1')), options())).type,
    ).toBe('IncompleteSignatureException');
    expect(thrownKmsError(() => verifySigV4(withAuth('Bearer abc'), options())).type).toBe(
      'IncompleteSignatureException',
    );

    const badScope = thrownKmsError(() => verifySigV4(withAuth(auth.replace('/kms/aws4_request', '/kms')), options()));
    expect(badScope.type).toBe('IncompleteSignatureException');
    expect(badScope.message).toMatch(/^Credential must have exactly 5 slash-delimited elements/);

    expect(
      thrownKmsError(() => verifySigV4(withAuth(auth.replace('aws4_request', 'aws5_request')), options())).type,
    ).toBe('IncompleteSignatureException');
  });

  it('IncompleteSignatureException without x-amz-date, or with a malformed one', async () => {
    const req = await sign(kmsPost());
    const { 'x-amz-date': _date, ...rest } = req.headers;
    const e = thrownKmsError(() => verifySigV4({ ...req, headers: rest }, options()));
    expect(e.type).toBe('IncompleteSignatureException');
    expect(e.message).toMatch(/X-Amz-Date/);
    const bad = thrownKmsError(() =>
      verifySigV4({ ...req, headers: { ...req.headers, 'x-amz-date': '2026-03-01T12:00:00Z' } }, options()),
    );
    expect(bad.type).toBe('IncompleteSignatureException');
  });

  it('IncompleteSignatureException when host (or x-amz-target) is not signed', async () => {
    const s = signer();
    const out = kmsPost();
    const signed = (await s.sign(out as never, {
      signingDate: SIGNED_AT,
      unsignableHeaders: new Set(['host']),
    })) as unknown as Outgoing;
    const e = thrownKmsError(() =>
      verifySigV4({ method: 'POST', path: '/', query: '', headers: signed.headers, body: out.body! }, options()),
    );
    expect(e.type).toBe('IncompleteSignatureException');
    expect(e.message).toBe("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

    const noTarget = (await s.sign(out as never, {
      signingDate: SIGNED_AT,
      unsignableHeaders: new Set(['x-amz-target']),
    })) as unknown as Outgoing;
    expect(
      thrownKmsError(() =>
        verifySigV4({ method: 'POST', path: '/', query: '', headers: noTarget.headers, body: out.body! }, options()),
      ).type,
    ).toBe('IncompleteSignatureException');
  });

  it('UnrecognizedClientException for an unknown access key', async () => {
    const req = await sign(kmsPost(), signer('us-east-1', 'kms', SECRET, 'AKIAUNKNOWNUNKNOWN00'));
    const e = thrownKmsError(() => verifySigV4(req, options()));
    expect(e.type).toBe('UnrecognizedClientException');
    expect(e.message).toBe('The security token included in the request is invalid.');
  });

  it('a scope of any region the server serves is accepted, and names the region the request acts in', async () => {
    const req = await sign(kmsPost(), signer('eu-west-1'));
    const served = options({ acceptsRegion: (region) => region === 'us-east-1' || region === 'eu-west-1' });
    expect(verifySigV4(req, served)).toEqual({ accessKeyId: ACCESS_KEY_ID, region: 'eu-west-1' });
  });

  it('InvalidSignatureException for a scope with another region, service or date', async () => {
    const dated = await sign(kmsPost());
    // The scope names the day before the x-amz-date.
    dated.headers.authorization = (dated.headers.authorization as string).replace('/20260301/', '/20260228/');
    const reqOther = {
      region: await sign(kmsPost(), signer('eu-west-1')),
      service: await sign(kmsPost(), signer('us-east-1', 'dynamodb')),
      date: dated,
    };
    const r = thrownKmsError(() => verifySigV4(reqOther.region, options()));
    expect(r.type).toBe('InvalidSignatureException');
    expect(r.message).toBe("Credential should be scoped to a valid region, not 'eu-west-1'.");
    const s = thrownKmsError(() => verifySigV4(reqOther.service, options()));
    expect(s.type).toBe('InvalidSignatureException');
    expect(s.message).toBe("Credential should be scoped to correct service: 'kms'.");
    const d = thrownKmsError(() => verifySigV4(reqOther.date, options()));
    expect(d.type).toBe('InvalidSignatureException');
    expect(d.message).toBe(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260228' != '20260301', from '20260301T120000Z'.",
    );
  });

  it('InvalidSignatureException when the body changed after signing', async () => {
    const changed = '{"KeyId":"alias/other","Plaintext":"aGVsbG8="}';
    const sdk = await sign(kmsPost());
    expect(sdk.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const viaHeader = thrownKmsError(() => verifySigV4({ ...sdk, body: changed }, options()));
    expect(viaHeader.type).toBe('InvalidSignatureException');
    expect(viaHeader.message).toBe("The provided 'x-amz-content-sha256' header does not match what was computed.");

    const req = await sign(kmsPost(), signer('us-east-1', 'kms', SECRET, ACCESS_KEY_ID, false));
    expect(req.headers['x-amz-content-sha256']).toBeUndefined();
    expect(verifySigV4(req, options()).accessKeyId).toBe(ACCESS_KEY_ID);
    const e = thrownKmsError(() => verifySigV4({ ...req, body: changed }, options()));
    expect(e.type).toBe('InvalidSignatureException');
    expect(e.message).toBe(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  });

  it('InvalidSignatureException for a wrong secret', async () => {
    const req = await sign(kmsPost(), signer('us-east-1', 'kms', 'another-secret-another-secret-0000000000'));
    expect(thrownKmsError(() => verifySigV4(req, options())).type).toBe('InvalidSignatureException');
  });

  it('binds x-amz-content-sha256 to the body and does not honour UNSIGNED-PAYLOAD', async () => {
    const body = '{"KeyId":"k"}';
    const out = kmsPost(body, 'TrentService.DescribeKey');
    const hash = createHash('sha256').update(body).digest('hex');
    const withHash = await sign({ ...out, headers: { ...out.headers, 'x-amz-content-sha256': hash } });
    expect(verifySigV4(withHash, options()).accessKeyId).toBe(ACCESS_KEY_ID);
    // The header still says the old hash, the body is new: refused even though the signature covers the header.
    expect(thrownKmsError(() => verifySigV4({ ...withHash, body: '{"KeyId":"x"}' }, options())).type).toBe(
      'InvalidSignatureException',
    );
    const unsigned = await sign({ ...out, headers: { ...out.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    expect(thrownKmsError(() => verifySigV4(unsigned, options())).type).toBe('InvalidSignatureException');
  });

  it('accepts an unsigned header added after signing; rejects a signed header changed', async () => {
    const req = await sign(kmsPost());
    expect(
      verifySigV4({ ...req, headers: { ...req.headers, 'x-forwarded-for': '10.0.0.1', 'user-agent': 'x' } }, options())
        .accessKeyId,
    ).toBe(ACCESS_KEY_ID);
    const e = thrownKmsError(() =>
      verifySigV4({ ...req, headers: { ...req.headers, 'x-amz-target': 'TrentService.Decrypt' } }, options()),
    );
    expect(e.type).toBe('InvalidSignatureException');
    // Whitespace is canonicalised, so reformatting a signed header's spacing is harmless.
    expect(
      verifySigV4({ ...req, headers: { ...req.headers, 'content-type': '  application/x-amz-json-1.1 ' } }, options())
        .accessKeyId,
    ).toBe(ACCESS_KEY_ID);
  });

  it('allows 15 minutes of skew either way, not more', async () => {
    const req = await sign(kmsPost());
    const at = (ms: number) => options({ now: new Date(SIGNED_AT.getTime() + ms) });
    expect(verifySigV4(req, at(15 * 60_000)).accessKeyId).toBe(ACCESS_KEY_ID);
    expect(verifySigV4(req, at(-15 * 60_000)).accessKeyId).toBe(ACCESS_KEY_ID);

    const late = thrownKmsError(() => verifySigV4(req, at(15 * 60_000 + 1000)));
    expect(late.type).toBe('InvalidSignatureException');
    expect(late.message).toBe(
      'Signature expired: 20260301T120000Z is now earlier than 20260301T120001Z (20260301T121501Z - 15 min.)',
    );

    const early = thrownKmsError(() => verifySigV4(req, at(-15 * 60_000 - 1000)));
    expect(early.type).toBe('InvalidSignatureException');
    expect(early.message).toBe(
      'Signature not yet current: 20260301T120000Z is still later than 20260301T115959Z (20260301T114459Z + 15 min.)',
    );
  });
});
