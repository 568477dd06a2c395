import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KmsError } from '../protocol/kms-error.js';
import { verifySigV4 } from './sigv4-verifier.js';

const ID = 'AKIAKEYLEDGERCURL01';
const SECRET = 'curl-form-secret-0123456789';
const NOW = new Date('2026-03-01T12:00:00Z');
const AMZ_DATE = '20260301T120000Z';

/** The signature over a canonical request given as text: what a signer computes from its own canonical form. */
function signatureOver(path: string, query: string): string {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const empty = createHash('sha256').update('').digest('hex');
  const canonical = `GET\n${path}\n${query}\nhost:127.0.0.1\nx-amz-date:${AMZ_DATE}\n\nhost;x-amz-date\n${empty}`;
  const scope = '20260301/us-east-1/kms/aws4_request';
  const toSign = `AWS4-HMAC-SHA256\n${AMZ_DATE}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, '20260301'), 'us-east-1'), 'kms'), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

function verify(path: string, query: string, signature: string) {
  return verifySigV4(
    {
      method: 'GET',
      path,
      query,
      headers: {
        host: '127.0.0.1',
        'x-amz-date': AMZ_DATE,
        authorization: `AWS4-HMAC-SHA256 Credential=${ID}/20260301/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
      },
      body: Buffer.alloc(0),
    },
    {
      acceptsRegion: (region) => region === 'us-east-1',
      service: 'kms',
      now: NOW,
      lookupSecret: (id) => (id === ID ? SECRET : undefined),
    },
  );
}

describe('SigV4 canonical query and path', () => {
  it('given a query out of order with a bare colon, when signed canonically, then it is accepted', () => {
    const signature = signatureOver('/v1/audit/events', 'asOf=2026-03-01T00%3A00%3A00Z&format=csv');
    expect(verify('/v1/audit/events', 'format=csv&asOf=2026-03-01T00:00:00Z', signature)).toEqual({
      accessKeyId: ID,
      region: 'us-east-1',
    });
  });

  it('given an encoded slash in a segment, when signed canonically, then the segment is encoded twice', () => {
    const signature = signatureOver('/v1/aliases/alias%252Fp/events', '');
    expect(verify('/v1/aliases/alias%2Fp/events', '', signature)).toEqual({ accessKeyId: ID, region: 'us-east-1' });
  });

  it('given a + in a value, when signed, then it stands for a space as the handler reads it', () => {
    expect(verify('/v1/a', 'actor=a+b', signatureOver('/v1/a', 'actor=a%20b'))).toEqual({
      accessKeyId: ID,
      region: 'us-east-1',
    });
    expect(() => verify('/v1/a', 'actor=a+b', signatureOver('/v1/a', 'actor=a%2Bb'))).toThrow(KmsError);
  });

  it('given the path and query signed exactly as sent (curl 7.x), then it is accepted', () => {
    const path = '/v1/aliases/alias%2Fp/events';
    const query = 'keyId=k&asOf=2026-03-01T00:00:00Z';
    expect(verify(path, query, signatureOver(path, query))).toEqual({ accessKeyId: ID, region: 'us-east-1' });
  });

  it('given a signature over the as-sent text of another request, then it is refused', () => {
    const signature = signatureOver('/v1/a', 'keyId=k&format=csv');
    expect(() => verify('/v1/a', 'keyId=other&format=csv', signature)).toThrow(KmsError);
    expect(() => verify('/v1/b', 'keyId=k&format=csv', signature)).toThrow(KmsError);
  });
});
