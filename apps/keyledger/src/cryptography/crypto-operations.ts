import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, InvalidCiphertextError, parseCiphertext, type EncryptionContext } from '@keyledger/crypto';
import { backingKeyForDecrypt, backingKeyForEncrypt, DomainError } from '@keyledger/ledger';
import { LedgerRepository } from '../ledger/ledger-repository.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { BackingKeys } from './backing-keys.js';

export interface Sealed {
  ciphertextBlob: Buffer;
  keyArn: string;
  keyMaterialId: string;
}

export interface Opened {
  plaintext: Buffer;
  keyArn: string;
  keyMaterialId: string;
}

export interface EncryptRequest {
  keyId: string;
  plaintext: Buffer;
  encryptionContext: EncryptionContext | undefined;
  dryRun: boolean;
}

export interface DecryptRequest {
  ciphertextBlob: Buffer;
  encryptionContext: EncryptionContext | undefined;
  /** When given, the ciphertext must belong to this key (AWS: IncorrectKeyException otherwise). */
  keyId: string | undefined;
  dryRun: boolean;
}

const dryRunSucceeded = () =>
  new DomainError('DryRun', 'The request would have succeeded, but the DryRun option is set.');

/**
 * Encrypt, Decrypt and GenerateRandom: operations that use keys and record
 * nothing. They are neither commands (no event) nor read-side questions (they
 * hand out secrets), so they are called directly, without a bus.
 */
@Injectable()
export class CryptoOperations {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly keys: KeyResolver,
    private readonly backingKeys: BackingKeys,
  ) {}

  async encrypt(request: EncryptRequest): Promise<Sealed> {
    const { keyId, state } = await this.keys.resolve(request.keyId, { allowAlias: true });
    const backing = backingKeyForEncrypt(state);
    if (backing instanceof DomainError) throw backing;
    if (request.dryRun) throw dryRunSucceeded();
    const ciphertextBlob = encrypt({
      backingKey: await this.backingKeys.open(keyId, backing),
      keyId,
      keyMaterialId: backing.keyMaterialId,
      plaintext: request.plaintext,
      encryptionContext: request.encryptionContext,
    });
    return { ciphertextBlob, keyArn: state.arn, keyMaterialId: backing.keyMaterialId };
  }

  /**
   * Decrypt replays: the blob names its key and backing key; the key's folded
   * stream (exact as of a known revision) decides whether that backing key may be
   * used now, and its sealed material is opened with its shred key.
   */
  async decrypt(request: DecryptRequest): Promise<Opened> {
    try {
      const parsed = parseCiphertext(request.ciphertextBlob);
      if (request.keyId !== undefined) {
        const expected = await this.keys.keyIdOf(request.keyId, true);
        if (expected !== parsed.keyId)
          throw new DomainError(
            'IncorrectKey',
            'The key ID in the request does not identify a CMK that can perform this operation.',
          );
      }
      const loaded = await this.repository.loadKey(parsed.keyId);
      const backing = backingKeyForDecrypt(loaded?.state, parsed.keyMaterialId);
      if (backing instanceof DomainError) throw backing;
      if (request.dryRun) throw dryRunSucceeded();
      const plaintext = decrypt({
        backingKey: await this.backingKeys.open(parsed.keyId, backing),
        parsed,
        encryptionContext: request.encryptionContext,
      });
      return { plaintext, keyArn: loaded!.state.arn, keyMaterialId: parsed.keyMaterialId };
    } catch (error) {
      // The one place a damaged, foreign or mismatched ciphertext becomes AWS's answer, which says nothing more.
      if (error instanceof InvalidCiphertextError) throw new DomainError('InvalidCiphertext', '');
      throw error;
    }
  }

  generateRandom(numberOfBytes: number): Buffer {
    return randomBytes(numberOfBytes);
  }
}
