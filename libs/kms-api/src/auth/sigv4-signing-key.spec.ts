import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearSigningKeyCache, signingKey } from './sigv4-signing-key.js';

// The derivation AWS documents, spelled out: kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
// "aws4_request"). The cache must only ever hand back the key this would derive, and stay bounded.
function derived(secret: string, date: string, region: string, service: string): Buffer {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

const exported = (secret: string, date: string, region: string, service: string) =>
  signingKey(secret, date, region, service).export();

beforeEach(() => clearSigningKeyCache());

describe('signingKey', () => {
  it("given AWS's documented example, then it derives AWS's documented signing key", () => {
    // docs.aws.amazon.com, "Examples of how to derive a signing key for Signature Version 4".
    const key = exported('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');
    expect(key.toString('hex')).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });

  it('given each part of the scope changed in turn, then each gives its own key, the one derived afresh', () => {
    const scopes: Array<[string, string, string, string]> = [
      ['s1-secret-secret-secret', '20260301', 'us-east-1', 'kms'],
      ['s1-secret-secret-secret', '20260302', 'us-east-1', 'kms'],
      ['s1-secret-secret-secret', '20260302', 'eu-west-1', 'kms'],
      ['s1-secret-secret-secret', '20260302', 'eu-west-1', 'iam'],
      ['s2-secret-secret-secret', '20260302', 'eu-west-1', 'iam'],
    ];
    // Twice over: the second pass is served from the cache, and must still be each scope's own key.
    for (let pass = 0; pass < 2; pass++) {
      for (const scope of scopes) expect(exported(...scope)).toEqual(derived(...scope));
    }
  });

  it('given the same scope twice, then the derived key is kept, not derived again', () => {
    const first = signingKey('secret-secret-secret', '20260301', 'us-east-1', 'kms');
    expect(signingKey('secret-secret-secret', '20260301', 'us-east-1', 'kms')).toBe(first);
    clearSigningKeyCache();
    const again = signingKey('secret-secret-secret', '20260301', 'us-east-1', 'kms');
    expect(again).not.toBe(first);
    expect(again.export()).toEqual(first.export());
  });

  it('given a fifth scope for one secret, then the oldest is forgotten and the four latest kept', () => {
    const key = (day: number) => signingKey('secret-secret-secret', `2026030${day}`, 'us-east-1', 'kms');
    const kept = [1, 2, 3, 4].map(key);
    for (const [i, day] of [1, 2, 3, 4].entries()) expect(key(day)).toBe(kept[i]);
    const fifth = key(5);
    expect(key(5)).toBe(fifth);
    expect([2, 3, 4].every((day, i) => key(day) === kept[i + 1])).toBe(true);
    expect(key(1)).not.toBe(kept[0]);
  });

  it('given more than 4,096 secrets, then the cache is cleared wholesale and starts again', () => {
    const first = signingKey('secret-0', '20260301', 'us-east-1', 'kms');
    for (let i = 1; i < 4096; i++) signingKey(`secret-${i}`, '20260301', 'us-east-1', 'kms');
    // 4,096 secrets: all still kept.
    expect(signingKey('secret-0', '20260301', 'us-east-1', 'kms')).toBe(first);
    const last = signingKey('secret-4095', '20260301', 'us-east-1', 'kms');
    signingKey('secret-4096', '20260301', 'us-east-1', 'kms');
    // The 4,097th cleared them: both derived again.
    expect(signingKey('secret-4095', '20260301', 'us-east-1', 'kms')).not.toBe(last);
    expect(signingKey('secret-0', '20260301', 'us-east-1', 'kms')).not.toBe(first);
  });
});
