import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import {
  decrypt,
  encrypt,
  InvalidCiphertextError,
  parseCiphertext,
  type EncryptionContext,
  type ParsedCiphertext,
} from '@keyledger/crypto';
import { backingKeyForDecrypt, backingKeyForEncrypt, DomainError, type KeyAggregate } from '@keyledger/ledger';
import { LedgerRepository } from '../ledger/ledger-repository.js';
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

export class EncryptQuery extends Query<Sealed> {
  constructor(
    readonly keyId: string,
    readonly plaintext: Buffer,
    readonly encryptionContext: EncryptionContext | undefined,
    readonly dryRun = false,
    /** As the request names it; absent is SYMMETRIC_DEFAULT. */
    readonly encryptionAlgorithm?: string,
    /** The operation named in a wrong-usage refusal (GenerateDataKey encrypts too). */
    readonly operation = 'Encrypt',
  ) {
    super();
  }
}

export class DecryptQuery extends Query<Opened> {
  constructor(
    readonly ciphertextBlob: Buffer,
    readonly encryptionContext: EncryptionContext | undefined,
    /** When given, the ciphertext must belong to this key (AWS: IncorrectKeyException otherwise). */
    readonly keyId: string | undefined,
    readonly dryRun = false,
    readonly encryptionAlgorithm?: string,
  ) {
    super();
  }
}

export class GenerateRandomQuery extends Query<Buffer> {
  constructor(readonly numberOfBytes: number) {
    super();
  }
}

const dryRunSucceeded = () =>
  new DomainError('DryRun', 'The request would have succeeded, but the DryRun option is set.');

/** AWS says nothing about why a ciphertext was refused. */
const invalidCiphertext = () => new DomainError('InvalidCiphertext', '');

@QueryHandler(EncryptQuery)
export class EncryptHandler implements IQueryHandler<EncryptQuery, Sealed> {
  constructor(
    private readonly keys: KeyResolver,
    private readonly backingKeys: BackingKeys,
    private readonly rsa: RsaEncryption,
  ) {}

  async execute(query: EncryptQuery): Promise<Sealed> {
    const { keyId, state } = await this.keys.resolve(query.keyId, { allowAlias: true });
    const encryptionAlgorithm = encryptionAlgorithmFor(state, query.encryptionAlgorithm, query.operation);
    if (isRsaEncryptionKey(state)) {
      refuseEncryptionContext(query.encryptionContext);
      const ciphertextBlob = await this.rsa.encrypt(keyId, state, encryptionAlgorithm, query.plaintext, query.dryRun);
      return { ciphertextBlob, keyArn: state.arn, keyMaterialId: undefined, encryptionAlgorithm };
    }
    const backing = backingKeyForEncrypt(state);
    if (backing instanceof DomainError) throw backing;
    if (query.dryRun) throw dryRunSucceeded();
    const ciphertextBlob = encrypt({
      backingKey: await this.backingKeys.open(keyId, backing),
      keyId,
      keyMaterialId: backing.keyMaterialId,
      plaintext: query.plaintext,
      encryptionContext: query.encryptionContext,
    });
    return { ciphertextBlob, keyArn: state.arn, keyMaterialId: backing.keyMaterialId, encryptionAlgorithm };
  }
}

/**
 * Decrypt replays: the blob names its key and backing key; the key's folded
 * stream (exact as of a known revision) decides whether that backing key may be
 * used now, and its sealed material is opened with its shred key.
 */
@QueryHandler(DecryptQuery)
export class DecryptHandler implements IQueryHandler<DecryptQuery, Opened> {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly keys: KeyResolver,
    private readonly backingKeys: BackingKeys,
    private readonly rsa: RsaEncryption,
  ) {}

  async execute(query: DecryptQuery): Promise<Opened> {
    // An RSA ciphertext does not name its key: the request's KeyId says which key opens it.
    const named = query.keyId === undefined ? undefined : await this.keys.keyIdOf(query.keyId, true);
    if (named !== undefined) {
      const loaded = await this.repository.loadKey(named);
      if (loaded && loaded.state.exists && !loaded.state.deleted && isRsaEncryptionKey(loaded.state)) {
        const key = loaded.state;
        const encryptionAlgorithm = encryptionAlgorithmFor(key, query.encryptionAlgorithm, 'Decrypt');
        refuseEncryptionContext(query.encryptionContext);
        const plaintext = await this.rsa.decrypt(named, key, encryptionAlgorithm, query.ciphertextBlob, query.dryRun);
        return { plaintext, keyArn: key.arn, keyMaterialId: undefined, encryptionAlgorithm };
      }
    }
    let parsed: ParsedCiphertext;
    try {
      parsed = parseCiphertext(query.ciphertextBlob);
    } catch (error) {
      if (error instanceof InvalidCiphertextError) throw invalidCiphertext();
      throw error;
    }
    if (named !== undefined) {
      if (named !== parsed.keyId)
        throw new DomainError(
          'IncorrectKey',
          'The key ID in the request does not identify a CMK that can perform this operation.',
        );
    }
    const loaded = await this.repository.loadKey(parsed.keyId);
    const backing = backingKeyForDecrypt(loaded?.state, parsed.keyMaterialId);
    if (backing instanceof DomainError) throw backing;
    const key: KeyAggregate = loaded!.state;
    const encryptionAlgorithm = encryptionAlgorithmFor(key, query.encryptionAlgorithm, 'Decrypt');
    if (query.dryRun) throw dryRunSucceeded();
    try {
      const plaintext = decrypt({
        backingKey: await this.backingKeys.open(parsed.keyId, backing),
        parsed,
        encryptionContext: query.encryptionContext,
      });
      return { plaintext, keyArn: key.arn, keyMaterialId: parsed.keyMaterialId, encryptionAlgorithm };
    } catch (error) {
      if (error instanceof InvalidCiphertextError) throw invalidCiphertext();
      throw error;
    }
  }
}

@QueryHandler(GenerateRandomQuery)
export class GenerateRandomHandler implements IQueryHandler<GenerateRandomQuery, Buffer> {
  async execute(query: GenerateRandomQuery): Promise<Buffer> {
    return randomBytes(query.numberOfBytes);
  }
}
