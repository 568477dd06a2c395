import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

export type HmacAlgorithm = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';

const hashOf = (algorithm: HmacAlgorithm) => `sha${algorithm.slice(-3)}`;

export function generateMac(key: KeyObject, algorithm: HmacAlgorithm, message: Buffer): Buffer {
  return createHmac(hashOf(algorithm), key).update(message).digest();
}

/** Constant-time in the MAC's bytes; a MAC of the wrong length is simply wrong. */
export function verifyMac(key: KeyObject, algorithm: HmacAlgorithm, message: Buffer, mac: Buffer): boolean {
  const expected = generateMac(key, algorithm, message);
  return mac.length === expected.length && timingSafeEqual(mac, expected);
}
