import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { constants, createPublicKey, publicEncrypt, randomUUID } from 'node:crypto';
import { KmsError, parseRequest, serializeResponse, toKmsError, type OperationName } from '@keyledger/kms-api';
import type { Actor } from '@keyledger/ledger';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { KmsOperations } from '../kms/kms-operations.js';
import { readSeedFile, type SeedKey } from './seed-file.js';

/** Who the seed's events name: not a principal anyone can sign as. */
export const SEED_ACTOR: Actor = { principal: 'keyledger:seed', accessKeyId: null, sourceAddress: null };

type Wire = Record<string, unknown>;

/**
 * KEYLEDGER_SEED_FILE: the keys and aliases a development or test environment
 * starts with, created before the server serves (while /readyz still says it is starting). Each goes through the KMS
 * operations as a signed request would (parsed and validated the same way), so
 * each creation is an ordinary ledger event, under the actor `keyledger:seed`.
 * A key whose alias exists is left as it is: a restart creates nothing.
 */
@Injectable()
export class SeedLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly operations: KmsOperations,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = this.config.seedFile;
    if (!file) return;
    const seed = readSeedFile(file);
    const created: string[] = [];
    for (const key of seed.keys) if (await this.apply(key)) created.push(key.alias);
    this.logger.log(
      created.length === 0
        ? `seed ${file}: every key already exists`
        : `seed ${file}: created ${created.length} keys (${created.join(', ')})`,
    );
  }

  private async apply(key: SeedKey): Promise<boolean> {
    if (await this.exists(key.alias)) return false;
    const external = key.importedMaterial !== undefined;
    const { KeyMetadata } = await this.call('CreateKey', {
      ...(key.description === undefined ? {} : { Description: key.description }),
      ...(key.keySpec === undefined ? {} : { KeySpec: key.keySpec }),
      ...(key.keyUsage === undefined ? {} : { KeyUsage: key.keyUsage }),
      ...(key.tags === undefined ? {} : { Tags: key.tags }),
      ...(external ? { Origin: 'EXTERNAL' } : {}),
    });
    const keyId = (KeyMetadata as { KeyId: string }).KeyId;
    if (external) await this.importMaterial(keyId, Buffer.from(key.importedMaterial!, 'base64'));
    if (key.rotation) await this.call('EnableKeyRotation', { KeyId: keyId });
    await this.call('CreateAlias', { AliasName: key.alias, TargetKeyId: keyId });
    return true;
  }

  private async exists(alias: string): Promise<boolean> {
    try {
      await this.call('DescribeKey', { KeyId: alias });
      return true;
    } catch (error) {
      const refusal = toKmsError(error);
      if (KmsError.is(refusal) && refusal.type === 'NotFoundException') return false;
      throw error;
    }
  }

  /** As a client imports: wrap the material under the import's public key, then import it. */
  private async importMaterial(keyId: string, material: Buffer): Promise<void> {
    const params = await this.call('GetParametersForImport', {
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    });
    const publicKey = createPublicKey({
      key: Buffer.from(params.PublicKey as string, 'base64'),
      format: 'der',
      type: 'spki',
    });
    const wrapped = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      material,
    );
    await this.call('ImportKeyMaterial', {
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapped.toString('base64'),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
  }

  /** One operation from its wire form to its wire form, as the KMS route runs it. */
  private async call(operation: OperationName, body: Wire): Promise<Wire> {
    const { input } = parseRequest(operation, Buffer.from(JSON.stringify(body)));
    // Seed keys belong to the home region, as every key of a ledger written before regions does.
    const context = { actor: SEED_ACTOR, requestId: randomUUID(), region: this.config.region };
    const output = await this.operations.dispatch(operation, input, context);
    return JSON.parse(serializeResponse(output)) as Wire;
  }
}
