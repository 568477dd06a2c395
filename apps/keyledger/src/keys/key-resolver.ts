import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type KeyAggregate } from '@keyledger/ledger';
import type { Versioned } from '@keyledger/read-models';
import { aliasArn, keyArn, type KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { LedgerRepository } from '../ledger/ledger-repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN = /^arn:([^:]+):kms:([^:]*):([^:]*):(key\/.+|alias\/.+)$/;

export interface ResolvedKey extends Versioned<KeyAggregate> {
  keyId: string;
}

/**
 * Turns a KeyId as AWS accepts it (key id, key ARN, alias name, alias ARN)
 * into a key. Operations that do not take aliases say so, as AWS does.
 */
@Injectable()
export class KeyResolver {
  constructor(
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    private readonly repository: LedgerRepository,
  ) {}

  async resolve(keyIdInput: string, options: { allowAlias: boolean }): Promise<ResolvedKey> {
    const keyId = await this.keyIdOf(keyIdInput, options.allowAlias);
    const loaded = await this.repository.loadKey(keyId);
    if (!loaded || !loaded.state.exists || loaded.state.deleted)
      throw new DomainError('NotFound', `Key '${keyArn(this.config, keyId)}' does not exist`);
    return { keyId, ...loaded };
  }

  /** The key id named by `input`, without checking that the key exists. */
  async keyIdOf(input: string, allowAlias: boolean): Promise<string> {
    let name = input;
    const arn = ARN.exec(input);
    if (arn) {
      const [, , region, account, resource] = arn;
      if (region !== this.config.region) throw new DomainError('NotFound', `Invalid arn ${region}`);
      if (account !== this.config.accountId) throw new DomainError('NotFound', `Invalid arn ${input}`);
      name = resource!;
      if (name.startsWith('key/')) name = name.slice(4);
    } else if (input.startsWith('arn:')) {
      throw new DomainError('NotFound', `Invalid arn ${input}`);
    }
    if (name.startsWith('alias/')) {
      if (!allowAlias) throw new DomainError('NotFound', `Invalid keyId '${input}'`);
      const alias = await this.repository.loadAlias(name);
      if (!alias || !alias.state.exists || alias.state.targetKeyId === null)
        throw new DomainError('NotFound', `Alias ${aliasArn(this.config, name)} is not found.`);
      return alias.state.targetKeyId;
    }
    if (!UUID.test(name)) throw new DomainError('NotFound', `Invalid keyId '${input}'`);
    return name;
  }
}
