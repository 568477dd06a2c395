import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { RsaGenerationThread } from './rsa-generation-thread.js';

/** The key pairs Node's crypto makes, by AWS KeySpec name. */
export type KeyPairSpec =
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'ECC_NIST_EDWARDS25519';

const CURVES: Record<string, string> = {
  ECC_NIST_P256: 'prime256v1',
  ECC_NIST_P384: 'secp384r1',
  ECC_NIST_P521: 'secp521r1',
  ECC_SECG_P256K1: 'secp256k1',
};
const RSA_BITS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

export interface GeneratedKeyPair {
  /** PKCS#8 DER: what is sealed, and what GenerateDataKeyPair returns. */
  privateKeyDer: Buffer;
  /** DER SubjectPublicKeyInfo: what GetPublicKey returns, recorded in the clear. */
  publicKeyDer: Buffer;
}

type PairOptions = { type: 'rsa'; modulusLength: number } | { type: 'ec'; namedCurve: string } | { type: 'ed25519' };

/** One for the process: RSA generations queue on it rather than each taking a core (rsa-generation-thread.ts). */
const rsaThread = new RsaGenerationThread();

function generate(options: PairOptions): Promise<GeneratedKeyPair> {
  if (options.type === 'rsa') return rsaThread.generate(options.modulusLength);
  const encodings = {
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  } as const;
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKeyDer: Buffer, privateKeyDer: Buffer) =>
      error ? reject(error) : resolve({ privateKeyDer, publicKeyDer });
    if (options.type === 'ec') generateKeyPair('ec', { namedCurve: options.namedCurve, ...encodings }, done);
    else generateKeyPair('ed25519', encodings, done);
  });
}

/**
 * A fresh key pair. Asynchronous: RSA-4096 takes hundreds of milliseconds of prime search, which
 * runs on a thread of its own at a lower priority (EC and Edwards keys, which take well under a
 * millisecond, on libuv's thread pool) instead of stalling every other request.
 */
export async function generateKeyPairFor(spec: KeyPairSpec): Promise<GeneratedKeyPair> {
  const modulusLength = Object.hasOwn(RSA_BITS, spec) ? RSA_BITS[spec] : undefined;
  if (modulusLength !== undefined) return generate({ type: 'rsa', modulusLength });
  const namedCurve = Object.hasOwn(CURVES, spec) ? CURVES[spec] : undefined;
  if (namedCurve !== undefined) return generate({ type: 'ec', namedCurve });
  // Stryker disable next-line ObjectLiteral,StringLiteral: generate() makes Ed25519 for every type but rsa and ec
  if (spec === 'ECC_NIST_EDWARDS25519') return generate({ type: 'ed25519' });
  throw new RangeError(`no key pair for spec ${String(spec)}`);
}

/** Random bytes for an HMAC key. */
export function generateHmacKey(bytes: number): Buffer {
  return randomBytes(bytes);
}

export function privateKeyFromDer(der: Buffer): KeyObject {
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

export function publicKeyFromDer(der: Buffer): KeyObject {
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

/** Which KeyPairSpec a key object is, or undefined for one AWS has no spec for. */
export function keyPairSpecOf(key: KeyObject): KeyPairSpec | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    // AWS's RSA keys use the public exponent 65537.
    if (details.publicExponent !== 65537n) return undefined;
    const spec = `RSA_${details.modulusLength}`;
    return spec in RSA_BITS ? (spec as KeyPairSpec) : undefined;
  }
  if (key.asymmetricKeyType === 'ec') {
    const found = Object.entries(CURVES).find(([, curve]) => curve === details.namedCurve);
    return found ? (found[0] as KeyPairSpec) : undefined;
  }
  if (key.asymmetricKeyType === 'ed25519') return 'ECC_NIST_EDWARDS25519';
  return undefined;
}

/**
 * A caller's PKCS#8 DER private key, checked against the spec it is imported into: the
 * public key is derived here, so verification and GetPublicKey never need the private one.
 */
export function importPrivateKey(der: Buffer, spec: KeyPairSpec): GeneratedKeyPair | undefined {
  let key: KeyObject;
  try {
    key = privateKeyFromDer(der);
  } catch {
    return undefined;
  }
  if (keyPairSpecOf(key) !== spec) return undefined;
  return {
    privateKeyDer: key.export({ type: 'pkcs8', format: 'der' }),
    publicKeyDer: createPublicKey(key).export({ type: 'spki', format: 'der' }),
  };
}
