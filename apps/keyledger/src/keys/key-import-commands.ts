import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  generateWrappingKeyPair,
  ImportUnwrapError,
  importedKeyMaterialId,
  InvalidImportTokenError,
  issueImportToken,
  openMaterial,
  publicKeySha256,
  readImportToken,
  unwrapImportedMaterial,
  type ImportWrappingAlgorithm,
  type ShredVault,
} from '@keyledger/crypto';
import {
  DomainError,
  decideKey,
  importTokenRefusal,
  type Clock,
  type ExpirationModel,
  type ServedKeySpec,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from '@keyledger/ledger';
import { CLOCK, IMPORT_TOKEN_KEY, SHRED_VAULT } from '../infrastructure/tokens.js';
import { MultiRegionKeys } from './multi-region-keys.js';
import { BackingKeys } from '../cryptography/backing-keys.js';
import { ShredKeyPool } from '../cryptography/shred-key-pool.js';
import { LedgerRepository } from '@keyledger/key-store';
import { KeyResolver } from './key-resolver.js';
import type { RequestContext } from '../ledger/request-context.js';
import { acceptImportedMaterial, importedMaterialLength } from './imported-key-material.js';

export interface ImportParametersIssued {
  keyArn: string;
  importToken: Buffer;
  publicKey: Buffer;
  parametersValidTo: Date;
}

export class GetParametersForImportCommand extends Command<ImportParametersIssued> {
  constructor(
    /** The KeyId as the caller gave it: resolved once, by the handler. */
    readonly keyId: string,
    readonly wrappingAlgorithm: WrappingAlgorithm,
    readonly wrappingKeySpec: WrappingKeySpec,
    readonly context: RequestContext,
  ) {
    super();
  }
}

export interface ImportKeyMaterialInput {
  importToken: Buffer;
  encryptedKeyMaterial: Buffer;
  importType?: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';
  keyMaterialId?: string;
  expirationModel?: ExpirationModel;
  validTo?: Date;
  keyMaterialDescription?: string;
}

export class ImportKeyMaterialCommand extends Command<{ keyArn: string; keyMaterialId: string }> {
  constructor(
    readonly keyId: string,
    readonly input: ImportKeyMaterialInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/** The private wrapping key is sealed like backing key material, under a shred key of its own. */
const privateKeyBinding = (keyId: string, importTokenId: string) => ({
  keyId,
  keyMaterialId: `import/${importTokenId}`,
});

@CommandHandler(GetParametersForImportCommand)
export class GetParametersForImportHandler implements ICommandHandler<
  GetParametersForImportCommand,
  ImportParametersIssued
> {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly keys: KeyResolver,
    private readonly shredKeys: ShredKeyPool,
    @Inject(IMPORT_TOKEN_KEY) private readonly tokenKey: Buffer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    keyId: keyIdInput,
    wrappingAlgorithm,
    wrappingKeySpec,
    context,
  }: GetParametersForImportCommand): Promise<ImportParametersIssued> {
    // Known to exist before an RSA key pair is spent on it.
    const { keyId, ref } = await this.keys.resolve(keyIdInput, { allowAlias: false, region: context.region });
    const importTokenId = randomUUID();
    const pair = generateWrappingKeyPair(wrappingKeySpec);
    const { shredKeyId, sealed: sealedPrivateKey } = this.shredKeys.seal(
      pair.privateKeyDer,
      privateKeyBinding(keyId, importTokenId),
    );
    try {
      const outcome = await this.repository.decideOnKey(
        ref,
        (state) =>
          decideKey(
            {
              type: 'GetParametersForImport',
              wrappingAlgorithm,
              wrappingKeySpec,
              parameters: {
                importTokenId,
                sealedPrivateKey,
                shredKeyId,
                publicKeySha256: publicKeySha256(pair.publicKeyDer),
              },
              now: this.clock.now(),
            },
            state,
          ),
        context,
      );
      const issued = outcome.state.importParameters.find((p) => p.importTokenId === importTokenId)!;
      return {
        keyArn: outcome.state.arn,
        importToken: issueImportToken(this.tokenKey, keyId, importTokenId),
        publicKey: pair.publicKeyDer,
        parametersValidTo: new Date(issued.validTo),
      };
    } catch (error) {
      this.shredKeys.discard(shredKeyId);
      throw error;
    }
  }
}

@CommandHandler(ImportKeyMaterialCommand)
export class ImportKeyMaterialHandler implements ICommandHandler<
  ImportKeyMaterialCommand,
  { keyArn: string; keyMaterialId: string }
> {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly keys: KeyResolver,
    @Inject(SHRED_VAULT) private readonly vault: ShredVault,
    private readonly shredKeys: ShredKeyPool,
    private readonly backingKeys: BackingKeys,
    @Inject(IMPORT_TOKEN_KEY) private readonly tokenKey: Buffer,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly multiRegion: MultiRegionKeys,
  ) {}

  async execute({
    keyId: keyIdInput,
    input,
    context,
  }: ImportKeyMaterialCommand): Promise<{ keyArn: string; keyMaterialId: string }> {
    const now = this.clock.now();
    // The one load: NotFound first, then the import parameters the token names.
    const loaded = await this.keys.resolve(keyIdInput, { allowAlias: false, region: context.region });
    const { keyId, ref } = loaded;
    let importTokenId: string;
    try {
      importTokenId = readImportToken(this.tokenKey, input.importToken, keyId);
    } catch (error) {
      if (error instanceof InvalidImportTokenError) throw new DomainError('InvalidImportToken', error.message);
      throw error;
    }
    const parameters = loaded.state.importParameters.find((p) => p.importTokenId === importTokenId);
    const refused = importTokenRefusal(parameters, now.getTime());
    if (refused || !parameters) throw refused;

    const unwrapped = this.unwrap(keyId, importTokenId, parameters, input.encryptedKeyMaterial, loaded.state.keySpec);
    const { material, publicKey } = acceptImportedMaterial(loaded.state.keySpec, unwrapped);
    const keyMaterialId = importedKeyMaterialId(keyId, material);
    const sharedKeyMaterialIds = await this.multiRegion.sharedKeyMaterialIds(loaded.state);
    const { shredKeyId, sealed: sealedMaterial } = this.shredKeys.seal(material, { keyId, keyMaterialId });
    try {
      const outcome = await this.repository.decideOnKey(
        ref,
        (state) =>
          decideKey(
            {
              type: 'ImportKeyMaterial',
              importTokenId,
              keyMaterialId,
              sealedMaterial,
              shredKeyId,
              importType: input.importType,
              expectedKeyMaterialId: input.keyMaterialId,
              expirationModel: input.expirationModel,
              validTo: input.validTo,
              keyMaterialDescription: input.keyMaterialDescription,
              publicKey,
              ...(sharedKeyMaterialIds === undefined ? {} : { sharedKeyMaterialIds }),
              now,
            },
            state,
          ),
        context,
      );
      // Durable first, then destroyed: the wrapping key, and a live sealing this import replaced.
      const destroyed = outcome.events.flatMap((e) =>
        e.type === 'KeyMaterialImported' ? (e.data.destroyedShredKeyIds ?? []) : [],
      );
      if (destroyed.length > 0) this.backingKeys.destroy(ref, destroyed);
      return { keyArn: outcome.state.arn, keyMaterialId };
    } catch (error) {
      // A refused import leaves nothing behind that could open this material.
      this.shredKeys.discard(shredKeyId);
      throw error;
    }
  }

  private unwrap(
    keyId: string,
    importTokenId: string,
    parameters: { sealedPrivateKey: string; shredKeyId: string; wrappingAlgorithm: string },
    encrypted: Buffer,
    keySpec: ServedKeySpec,
  ): Buffer {
    const shredKey = this.vault.get(parameters.shredKeyId);
    if (!shredKey)
      throw new DomainError('InvalidImportToken', 'The import parameters of this token are no longer available.');
    const privateKey = openMaterial(parameters.sealedPrivateKey, shredKey, privateKeyBinding(keyId, importTokenId));
    shredKey.fill(0);
    try {
      return unwrapImportedMaterial(
        parameters.wrappingAlgorithm as ImportWrappingAlgorithm,
        privateKey,
        encrypted,
        importedMaterialLength(keySpec),
      );
    } catch (error) {
      if (error instanceof ImportUnwrapError) throw new DomainError('InvalidCiphertext', error.message);
      throw error;
    } finally {
      privateKey.fill(0);
    }
  }
}
