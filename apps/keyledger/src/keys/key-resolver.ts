import { Inject, Injectable } from '@nestjs/common';
import { aliasArnOf, bareId, DomainError, keyArnOf, parseKeyIdentifier, type KeyAggregate } from '@keyledger/ledger';
import type { Versioned } from '@keyledger/key-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { LedgerRepository } from '@keyledger/key-store';
import { refIn, scopeIn } from '../regions/request-region.js';

export interface ResolvedKey extends Versioned<KeyAggregate> {
  /** The key id, as ARNs and ciphertexts name it. */
  keyId: string;
  /** The ledger's id of the key in its region: what loads, appends and opens material take. */
  ref: string;
}

/** How a KeyId is to be read: whether aliases are taken, and the region the request acts in. */
export interface ResolveOptions {
  allowAlias: boolean;
  region: string;
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

  async resolve(keyIdInput: string, options: ResolveOptions): Promise<ResolvedKey> {
    const ref = await this.refOf(keyIdInput, options);
    const keyId = bareId(ref);
    const loaded = await this.repository.loadKey(ref);
    if (!loaded || !loaded.state.exists || loaded.state.deleted)
      throw new DomainError(
        'NotFound',
        `Key '${keyArnOf(scopeIn(this.config, options.region), keyId)}' does not exist`,
      );
    return { keyId, ref, ...loaded };
  }

  /**
   * The ledger id of the key `input` names in the request's region, without checking that it exists:
   * a key id resolves only in that region, and an ARN of another region is refused as AWS refuses it.
   */
  async refOf(input: string, options: ResolveOptions): Promise<string> {
    const scope = scopeIn(this.config, options.region);
    const named = parseKeyIdentifier(input, scope, { allowAlias: options.allowAlias });
    if (named instanceof DomainError) throw named;
    if (named.kind === 'key') return refIn(this.config, options.region, named.keyId);
    const alias = await this.repository.loadAlias(refIn(this.config, options.region, named.aliasName));
    if (!alias || !alias.state.exists || alias.state.targetKeyId === null)
      throw new DomainError('NotFound', `Alias ${aliasArnOf(scope, named.aliasName)} is not found.`);
    return refIn(this.config, options.region, alias.state.targetKeyId);
  }
}
