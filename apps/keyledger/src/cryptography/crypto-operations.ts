import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, InvalidCiphertextError, parseCiphertext, type EncryptionContext } from '@keyledger/crypto';
import { backingKeyForDecrypt, backingKeyForEncrypt, DomainError, type KeyAggregate } from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { LedgerRepository } from '@keyledger/key-store';
import { refIn } from '../regions/request-region.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { BackingKeys } from './backing-keys.js';
import {
  encryptionAlgorithmFor,
  isRsaEncryptionKey,
  refuseEncryptionContext,
  RsaEncryption,
} from './rsa-encryption.js';

export interface Sealed {
  ciphertextBlob: Buffer;
  keyArn: string;
  /** Symmetric keys only: AWS names the material of the keys it rotates. */
  keyMaterialId: string | undefined;
  encryptionAlgorithm: string;
}

export interface Opened {
  plaintext: Buffer;
  keyArn: string;
  keyMaterialId: string | undefined;
  encryptionAlgorithm: string;
}

export interface EncryptRequest {
  /** The region the request acts in: the key is looked up there. */
  region: string;
  keyId: string;
  plaintext: Buffer;
  encryptionContext: EncryptionContext | undefined;
  dryRun: boolean;
  /** As the request names it; absent is SYMMETRIC_DEFAULT. */
  encryptionAlgorithm?: string;
  /** The operation named in a wrong-usage refusal (GenerateDataKey encrypts too); Encrypt when absent. */
  operation?: string;
}

export interface DecryptRequest {
  /** The region the request acts in: the ciphertext's key is looked up there. */
  region: string;
  ciphertextBlob: Buffer;
  encryptionContext: EncryptionContext | undefined;
  /** When given, the ciphertext must belong to this key (AWS: IncorrectKeyException otherwise). */
  keyId: string | undefined;
  dryRun: boolean;
  encryptionAlgorithm?: string;
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
    private readonly rsa: RsaEncryption,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  async encrypt(request: EncryptRequest): Promise<Sealed> {
    const { ref, state } = await this.keys.resolve(request.keyId, { allowAlias: true, region: request.region });
    const operation = request.operation ?? 'Encrypt';
    const encryptionAlgorithm = encryptionAlgorithmFor(state, request.encryptionAlgorithm, operation);
    if (isRsaEncryptionKey(state)) {
      refuseEncryptionContext(request.encryptionContext);
      const ciphertextBlob = await this.rsa.encrypt(ref, state, encryptionAlgorithm, request.plaintext, request.dryRun);
      return { ciphertextBlob, keyArn: state.arn, keyMaterialId: undefined, encryptionAlgorithm };
    }
    const backing = backingKeyForEncrypt(state);
    if (backing instanceof DomainError) throw backing;
    if (request.dryRun) throw dryRunSucceeded();
    const ciphertextBlob = encrypt({
      backingKey: await this.backingKeys.open(ref, backing),
      keyId: state.keyId,
      keyMaterialId: backing.keyMaterialId,
      plaintext: request.plaintext,
      encryptionContext: request.encryptionContext,
    });
    return { ciphertextBlob, keyArn: state.arn, keyMaterialId: backing.keyMaterialId, encryptionAlgorithm };
  }

  /**
   * Decrypt replays: the blob names its key and backing key; the key's folded
   * stream (exact as of a known revision) decides whether that backing key may be
   * used now, and its sealed material is opened with its shred key.
   */
  async decrypt(request: DecryptRequest): Promise<Opened> {
    // An RSA ciphertext does not name its key: the request's KeyId says which key opens it.
    const { region } = request;
    const named =
      request.keyId === undefined ? undefined : await this.keys.refOf(request.keyId, { allowAlias: true, region });
    if (named !== undefined) {
      const loaded = await this.repository.loadKey(named);
      if (loaded && loaded.state.exists && !loaded.state.deleted && isRsaEncryptionKey(loaded.state)) {
        const key = loaded.state;
        const encryptionAlgorithm = encryptionAlgorithmFor(key, request.encryptionAlgorithm, 'Decrypt');
        refuseEncryptionContext(request.encryptionContext);
        const plaintext = await this.rsa.decrypt(
          named,
          key,
          encryptionAlgorithm,
          request.ciphertextBlob,
          request.dryRun,
        );
        return { plaintext, keyArn: key.arn, keyMaterialId: undefined, encryptionAlgorithm };
      }
    }
    try {
      const parsed = parseCiphertext(request.ciphertextBlob);
      // The ciphertext names its key by id: in the request's region, that id is this key.
      const ref = refIn(this.config, region, parsed.keyId);
      if (named !== undefined) {
        if (named !== ref)
          throw new DomainError(
            'IncorrectKey',
            'The key ID in the request does not identify a CMK that can perform this operation.',
          );
      }
      const loaded = await this.repository.loadKey(ref);
      const backing = backingKeyForDecrypt(loaded?.state, parsed.keyMaterialId);
      if (backing instanceof DomainError) throw backing;
      const key: KeyAggregate = loaded!.state;
      const encryptionAlgorithm = encryptionAlgorithmFor(key, request.encryptionAlgorithm, 'Decrypt');
      if (request.dryRun) throw dryRunSucceeded();
      const plaintext = decrypt({
        backingKey: await this.backingKeys.open(ref, backing),
        parsed,
        encryptionContext: request.encryptionContext,
      });
      return { plaintext, keyArn: key.arn, keyMaterialId: parsed.keyMaterialId, encryptionAlgorithm };
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
