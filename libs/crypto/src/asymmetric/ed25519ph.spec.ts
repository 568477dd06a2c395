import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signMessage, verifySignature } from './signing.js';

// RFC 8032 §7.3, the Ed25519ph test vector ("TEST abc").
const RFC = {
  secretKey: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
  publicKey: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
  message: '616263',
  signature:
    '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41' +
    '31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406',
};
const b64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
const rfcPrivateKey = createPrivateKey({
  key: { kty: 'OKP', crv: 'Ed25519', d: b64url(RFC.secretKey), x: b64url(RFC.publicKey) },
  format: 'jwk',
});
const rfcPublicKey = createPublicKey(rfcPrivateKey);
const ph = (messageType: 'RAW' | 'DIGEST', message: Buffer) =>
  ({ algorithm: 'ED25519_PH_SHA_512', messageType, message }) as const;

describe('Ed25519ph (ED25519_PH_SHA_512)', () => {
  it('signs the RFC 8032 §7.3 vector exactly, and verifies it', () => {
    expect(rfcPublicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex')).toBe(RFC.publicKey);
    const input = ph('RAW', Buffer.from(RFC.message, 'hex'));
    expect(signMessage(rfcPrivateKey, input).toString('hex')).toBe(RFC.signature);
    expect(verifySignature(rfcPublicKey, input, Buffer.from(RFC.signature, 'hex'))).toBe(true);
  });

  it('refuses the vector signature over another message, flipped, or truncated', () => {
    const signature = Buffer.from(RFC.signature, 'hex');
    expect(verifySignature(rfcPublicKey, ph('RAW', Buffer.from('abd')), signature)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped[40]! ^= 1;
    expect(verifySignature(rfcPublicKey, ph('RAW', Buffer.from('abc')), flipped)).toBe(false);
    expect(verifySignature(rfcPublicKey, ph('RAW', Buffer.from('abc')), signature.subarray(1))).toBe(false);
  });

  it('is not PureEdDSA: node:crypto Ed25519 refuses the signature', () => {
    expect(verify(null, Buffer.from('abc'), rfcPublicKey, Buffer.from(RFC.signature, 'hex'))).toBe(false);
  });

  it('signs a DIGEST as AWS documents: the 64 bytes are prehashed again, so DIGEST and RAW of them agree', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const digest = createHash('sha512').update('a document').digest();
    const signature = signMessage(privateKey, ph('DIGEST', digest));
    // Ed25519 is deterministic: the same bytes give the same signature whichever way they are named.
    expect(signature.equals(signMessage(privateKey, ph('RAW', digest)))).toBe(true);
    expect(verifySignature(publicKey, ph('DIGEST', digest), signature)).toBe(true);
    expect(verifySignature(publicKey, ph('RAW', Buffer.from('a document')), signature)).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifySignature(other, ph('DIGEST', digest), signature)).toBe(false);
  });

  it('verifies strictly (RFC 8032, not ZIP-215): a small-order public key verifies nothing', () => {
    // The identity point as a public key; R = identity and S = 0 satisfy ZIP-215's cofactored check.
    const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);
    const weak = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: identity.toString('base64url') },
      format: 'jwk',
    });
    const forged = Buffer.concat([identity, Buffer.alloc(32)]);
    expect(verifySignature(weak, ph('RAW', Buffer.from('abc')), forged)).toBe(false);
  });
});
