import { Injectable } from '@nestjs/common';
import { oaepDecrypt, oaepEncrypt, type OaepAlgorithm } from '@keyledger/crypto';
import {
  backingKeyForEncrypt,
  checkOaepPlaintext,
  DomainError,
  isRsaKeySpec,
  requireAlgorithm,
  requireKeyUsage,
  type EncryptionAlgorithm,
  type KeyAggregate,
} from '@keyledger/ledger';
import { BackingKeys } from './backing-keys.js';

/** An RSA key made for encryption: its ciphertexts are plain RSAES-OAEP, naming no key. */
export const isRsaEncryptionKey = (key: KeyAggregate): boolean =>
  isRsaKeySpec(key.keySpec) && key.keyUsage === 'ENCRYPT_DECRYPT';

/**
 * The encryption algorithm a request names, checked against the key it uses: absent means
 * SYMMETRIC_DEFAULT, as AWS reads it, so an RSA key needs its RSAES algorithm named.
 */
export function encryptionAlgorithmFor(
  key: KeyAggregate,
  algorithm: string | undefined,
  operation: string,
): EncryptionAlgorithm {
  const wrongUsage = requireKeyUsage(key, 'ENCRYPT_DECRYPT', operation);
  if (wrongUsage) throw wrongUsage;
  const named = algorithm ?? 'SYMMETRIC_DEFAULT';
  const refused = requireAlgorithm(key.keySpec, 'ENCRYPT_DECRYPT', named);
  if (refused) throw refused;
  return named as EncryptionAlgorithm;
}

/** An encryption context is authenticated data of Keyledger's symmetric format; RSAES-OAEP has no place for it. */
export function refuseEncryptionContext(context: Record<string, string> | undefined): void {
  if (context !== undefined && Object.keys(context).length > 0)
    throw new DomainError('Validation', 'EncryptionContext is not supported with asymmetric KMS keys.');
}

const dryRunSucceeded = () =>
  new DomainError('DryRun', 'The request would have succeeded, but the DryRun option is set.');

/**
 * Encrypt and Decrypt under an RSA key: the public key (recorded in the clear) encrypts, the
 * sealed private key decrypts. AWS KMS's ciphertext is the raw OAEP output, so one made
 * anywhere with GetPublicKey's key decrypts here.
 */
@Injectable()
export class RsaEncryption {
  constructor(private readonly backingKeys: BackingKeys) {}

  async encrypt(
    keyId: string,
    key: KeyAggregate,
    algorithm: EncryptionAlgorithm,
    plaintext: Buffer,
    dryRun: boolean,
  ): Promise<Buffer> {
    const backing = backingKeyForEncrypt(key);
    if (backing instanceof DomainError) throw backing;
    if (!isRsaKeySpec(key.keySpec)) throw new Error('RSA encryption of a key that is not RSA');
    const tooLong = checkOaepPlaintext(key.keySpec, algorithm as OaepAlgorithm, plaintext.length);
    if (tooLong) throw tooLong;
    if (dryRun) throw dryRunSucceeded();
    return oaepEncrypt(await this.backingKeys.publicKey(keyId, backing), algorithm as OaepAlgorithm, plaintext);
  }

  async decrypt(
    keyId: string,
    key: KeyAggregate,
    algorithm: EncryptionAlgorithm,
    ciphertext: Buffer,
    dryRun: boolean,
  ): Promise<Buffer> {
    const backing = backingKeyForEncrypt(key);
    if (backing instanceof DomainError) throw backing;
    if (dryRun) throw dryRunSucceeded();
    const privateKey = await this.backingKeys.open(keyId, backing, 'private');
    const plaintext = oaepDecrypt(privateKey, algorithm as OaepAlgorithm, ciphertext);
    // AWS says nothing about why a ciphertext was refused.
    if (!plaintext) throw new DomainError('InvalidCiphertext', '');
    return plaintext;
  }
}
