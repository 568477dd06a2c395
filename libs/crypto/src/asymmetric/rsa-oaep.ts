import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

export type OaepAlgorithm = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256';

const oaepHash = (algorithm: OaepAlgorithm) => (algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256');

/**
 * RSAES-OAEP with MGF1 over the same hash and an empty label, as AWS KMS does, so a
 * ciphertext made anywhere with the public key decrypts here. Plaintext limits are the
 * caller's rule (checked before, with AWS's text).
 */
export function oaepEncrypt(publicKey: KeyObject, algorithm: OaepAlgorithm, plaintext: Buffer): Buffer {
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) },
    plaintext,
  );
}

/** Undefined when the ciphertext does not open under this key and algorithm. */
export function oaepDecrypt(privateKey: KeyObject, algorithm: OaepAlgorithm, ciphertext: Buffer): Buffer | undefined {
  try {
    // A `next-line` marker does not reach the catch below, so this pair fences its block alone.
    // Stryker disable BlockStatement: an empty catch falls off the end, which returns undefined as well
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) },
      ciphertext,
    );
  } catch {
    // Stryker restore BlockStatement
    return undefined;
  }
}
