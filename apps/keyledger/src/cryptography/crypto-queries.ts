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

export class EncryptQuery extends Query<Sealed> {
  constructor(
    readonly keyId: string,
    readonly plaintext: Buffer,
    readonly encryptionContext: EncryptionContext | undefined,
    readonly dryRun = false,
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
  ) {}

  async execute(query: EncryptQuery): Promise<Sealed> {
    const { keyId, state } = await this.keys.resolve(query.keyId, { allowAlias: true });
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
    return { ciphertextBlob, keyArn: state.arn, keyMaterialId: backing.keyMaterialId };
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
  ) {}

  async execute(query: DecryptQuery): Promise<Opened> {
    let parsed: ParsedCiphertext;
    try {
      parsed = parseCiphertext(query.ciphertextBlob);
    } catch (error) {
      if (error instanceof InvalidCiphertextError) throw invalidCiphertext();
      throw error;
    }
    if (query.keyId !== undefined) {
      const expected = await this.keys.keyIdOf(query.keyId, true);
      if (expected !== parsed.keyId)
        throw new DomainError(
          'IncorrectKey',
          'The key ID in the request does not identify a CMK that can perform this operation.',
        );
    }
    const loaded = await this.repository.loadKey(parsed.keyId);
    const backing = backingKeyForDecrypt(loaded?.state, parsed.keyMaterialId);
    if (backing instanceof DomainError) throw backing;
    const key: KeyAggregate = loaded!.state;
    if (query.dryRun) throw dryRunSucceeded();
    try {
      const plaintext = decrypt({
        backingKey: await this.backingKeys.open(parsed.keyId, backing),
        parsed,
        encryptionContext: query.encryptionContext,
      });
      return { plaintext, keyArn: key.arn, keyMaterialId: parsed.keyMaterialId };
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
