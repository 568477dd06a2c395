import { verifySigV4 } from '@keyledger/kms-api';
import { describe, expect, it } from 'vitest';
import { queryString, signRequest, WebCryptoSha256 } from './sigv4.js';

const CREDENTIALS = { accessKeyId: 'AKIACONSOLETEST00001', secretAccessKey: 'console-secret-0123456789abcdef' };
const NOW = new Date('2026-03-01T12:00:00Z');

/** What the browser would send, checked by the server's own verifier. */
async function roundTrip(
  request: { method: 'GET' | 'POST'; path: string; query?: Record<string, string>; body?: string },
  secretOnServer = CREDENTIALS.secretAccessKey,
) {
  const query = request.query ?? {};
  const headers: Record<string, string> = request.body === undefined ? {} : { 'content-type': 'application/json' };
  const sent = await signRequest(
    { ...request, query, headers, host: '127.0.0.1:8080', protocol: 'http:' },
    CREDENTIALS,
    'us-east-1',
    NOW,
  );
  return () =>
    verifySigV4(
      {
        method: request.method,
        path: request.path,
        query: queryString(query),
        headers: { ...sent, host: '127.0.0.1:8080' },
        body: request.body ?? '',
      },
      {
        acceptsRegion: (region) => region === 'us-east-1',
        service: 'kms',
        now: NOW,
        lookupSecret: (id) => (id === CREDENTIALS.accessKeyId ? secretOnServer : undefined),
      },
    );
}

describe('the console signs as the server verifies', () => {
  it('a GET with a query whose values need encoding (times, spaces, commas)', async () => {
    const verify = await roundTrip({
      method: 'GET',
      path: '/v1/audit/events',
      query: { from: '2026-03-01T00:00:00.000Z', actor: 'user/a b', type: 'KeyDisabled,KeyRotated', limit: '200' },
    });
    expect(verify()).toEqual({ accessKeyId: CREDENTIALS.accessKeyId, region: 'us-east-1' });
  });

  it('a path with an encoded slash (an alias name) and a JSON body', async () => {
    expect((await roundTrip({ method: 'GET', path: '/v1/aliases/alias%2Fapp/events' }))().accessKeyId).toBe(
      CREDENTIALS.accessKeyId,
    );
    const body = JSON.stringify({ ciphertextBlob: 'AQID', asOf: '2026-03-01T00:00:00Z' });
    expect((await roundTrip({ method: 'POST', path: '/v1/decryptability', body }))().accessKeyId).toBe(
      CREDENTIALS.accessKeyId,
    );
  });

  it('a different secret on the server fails the signature', async () => {
    const verify = await roundTrip({ method: 'GET', path: '/v1/reports/inventory' }, 'another-secret-0123456789abcdef');
    expect(verify).toThrow(/signature we calculated does not match/);
  });

  it('sends the signature and the key id, never the secret', async () => {
    const sent = await signRequest(
      { method: 'GET', path: '/v1/keys/k', query: {}, headers: {}, host: 'h:1', protocol: 'http:' },
      CREDENTIALS,
      'us-east-1',
      NOW,
    );
    expect(sent.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIACONSOLETEST00001\/20260301\/us-east-1\/kms\//);
    expect(JSON.stringify(sent)).not.toContain(CREDENTIALS.secretAccessKey);
    expect(sent.host).toBeUndefined();
  });
});

describe('WebCryptoSha256', () => {
  it('hashes and HMACs as the standard vectors say', async () => {
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
    const hash = new WebCryptoSha256();
    hash.update('ab');
    hash.update(new TextEncoder().encode('c'));
    expect(hex(await hash.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // RFC 4231 test case 2.
    const hmac = new WebCryptoSha256('Jefe');
    hmac.update('what do ya want for nothing?');
    expect(hex(await hmac.digest())).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});
