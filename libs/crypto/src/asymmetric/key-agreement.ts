import { createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';

/**
 * ECDH between a KMS key's private key and a caller's DER SubjectPublicKeyInfo on the same
 * curve. The raw shared secret (the x coordinate), as AWS returns it. Undefined when the
 * caller's key is not a public key on that curve.
 */
export function deriveSharedSecret(privateKey: KeyObject, peerPublicKeyDer: Buffer): Buffer | undefined {
  let peer: KeyObject;
  try {
    peer = createPublicKey({ key: peerPublicKeyDer, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  if (peer.asymmetricKeyType !== 'ec') return undefined;
  // A key on another curve throws (OpenSSL will not mix domain parameters), so no curve check of our own is needed.
  try {
    // A `next-line` marker does not reach the catch below, so this pair fences its block alone.
    // Stryker disable BlockStatement: an empty catch falls off the end, which returns undefined as well
    return diffieHellman({ privateKey, publicKey: peer });
  } catch {
    // Stryker restore BlockStatement
    return undefined;
  }
}
