import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { verifySigV4 } from '@keyledger/kms-api';
import { canonicalQuery, encodePath, signRequest } from '../apps/keyledger/src/cli/api/sigv4-signer.js';
import { Sha256 } from './support/sha256.js';

const CREDENTIALS = { accessKeyId: 'AKIACLISIGNER0000001', secretAccessKey: 'cli-signer-secret-0123456789' };
const NOW = new Date('2026-03-01T12:34:56.789Z');

/** The CLI's own signer (node:crypto only), held to the server's verifier and to the AWS SDK's signer. */
function signed(method: string, segments: string[], query: Record<string, string>, body: string) {
  const url = new URL('http://127.0.0.1:8080');
  url.pathname = encodePath(segments);
  url.search = canonicalQuery(query);
  const headers = signRequest(
    { method, url, headers: body ? { 'content-type': 'application/json' } : {}, body },
    CREDENTIALS,
    'eu-west-1',
    NOW,
  );
  return { url, headers };
}

const verify = (
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string,
  secret = CREDENTIALS.secretAccessKey,
) =>
  verifySigV4(
    {
      method,
      path: url.pathname,
      query: url.search.slice(1),
      headers: { ...headers, host: url.host },
      body: Buffer.from(body),
    },
    {
      acceptsRegion: (region) => region === 'eu-west-1',
      service: 'kms',
      now: NOW,
      lookupSecret: (id) => (id === CREDENTIALS.accessKeyId ? secret : undefined),
    },
  );

describe('the CLI SigV4 signer', () => {
  const cases: Array<[string, string, string[], Record<string, string>, string]> = [
    [
      'GET with a query',
      'GET',
      ['v1', 'reports', 'rotation-compliance'],
      { maxAgeDays: '90', asOf: '2026-01-01T00:00:00.000Z', format: 'csv' },
      '',
    ],
    [
      'GET of a key ARN (slashes and colons in a segment)',
      'GET',
      ['v1', 'keys', 'arn:aws:kms:eu-west-1:111122223333:key/abc', 'events'],
      {},
      '',
    ],
    ['GET with characters that need encoding', 'GET', ['v1', 'keys', "a b+c*~'!"], { asOf: 'x y+z' }, ''],
    [
      'POST with a JSON body',
      'POST',
      ['v1', 'decryptability'],
      {},
      JSON.stringify({ ciphertextBlob: 'AAEC', asOf: '2026-01-01T00:00:00Z' }),
    ],
  ];

  it.each(cases)('%s: the server verifier accepts it', (_name, method, segments, query, body) => {
    const { url, headers } = signed(method, segments, query, body);
    expect(verify(method, url, headers, body)).toEqual({ accessKeyId: CREDENTIALS.accessKeyId, region: 'eu-west-1' });
  });

  it.each(cases)('%s: the same signature as the AWS SDK signer', async (_name, method, segments, query, body) => {
    const { url, headers } = signed(method, segments, query, body);
    const sdk = new SignatureV4({ credentials: CREDENTIALS, region: 'eu-west-1', service: 'kms', sha256: Sha256 });
    const { authorization: _ours, 'x-amz-date': _date, ...unsigned } = headers;
    const request = await sdk.sign(
      {
        method,
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...unsigned, host: url.host },
        body,
      },
      { signingDate: NOW },
    );
    expect(headers.authorization).toBe(request.headers.authorization);
  });

  it('a wrong secret, a changed body or a changed query fails verification', () => {
    const body = JSON.stringify({ ciphertextBlob: 'AAEC' });
    const { url, headers } = signed('POST', ['v1', 'decryptability'], {}, body);
    expect(() => verify('POST', url, headers, body, 'another-secret')).toThrow(/signature/i);
    expect(() => verify('POST', url, headers, JSON.stringify({ ciphertextBlob: 'AAED' }))).toThrow(
      /x-amz-content-sha256|signature/i,
    );
    const get = signed('GET', ['v1', 'reports', 'inventory'], { format: 'json' }, '');
    const swapped = new URL(get.url);
    swapped.search = 'format=csv';
    expect(() => verify('GET', swapped, get.headers, '')).toThrow(/signature/i);
  });
});
