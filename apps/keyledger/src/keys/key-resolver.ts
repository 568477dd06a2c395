import { Inject, Injectable } from '@nestjs/common';
import { aliasArnOf, DomainError, keyArnOf, parseKeyIdentifier, type KeyAggregate } from '@keyledger/ledger';
import type { Versioned } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { LedgerRepository } from '../ledger/ledger-repository.js';

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
      throw new DomainError('NotFound', `Key '${keyArnOf(this.config, keyId)}' does not exist`);
    return { keyId, ...loaded };
  }

  /** The key id named by `input`, without checking that the key exists. */
  async keyIdOf(input: string, allowAlias: boolean): Promise<string> {
    const named = parseKeyIdentifier(input, this.config, { allowAlias });
    if (named instanceof DomainError) throw named;
    if (named.kind === 'key') return named.keyId;
    const alias = await this.repository.loadAlias(named.aliasName);
    if (!alias || !alias.state.exists || alias.state.targetKeyId === null)
      throw new DomainError('NotFound', `Alias ${aliasArnOf(this.config, named.aliasName)} is not found.`);
    return alias.state.targetKeyId;
  }
}
