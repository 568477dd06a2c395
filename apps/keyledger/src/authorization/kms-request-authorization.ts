import { Inject, Injectable } from '@nestjs/common';
import { principalArn, type Principal } from '@keyledger/kms-api';
import { bareId, DomainError, type AuthorizationDecision, type Clock } from '@keyledger/ledger';
import { KeyStateCache } from '@keyledger/key-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG } from '../infrastructure/tokens.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { LedgerRepository } from '@keyledger/key-store';
import { aliasesOfKeyIn } from '../regions/regional-listing.js';
import { Authorizer, checkGrantTokens, type Caller, type KeyInRequest } from './authorizer.js';
import { DECIDED_BY_GRANT, namedKeys } from './kms-request-keys.js';

/** The signed-in principal as the authorizer sees it: its ARN, role and own identity policy. */
export function callerFrom(principal: Principal, accountId: string, sourceIp: string | null): Caller {
  return {
    name: principal.name,
    principalArn: principalArn(principal, accountId),
    accountId,
    role: principal.role ?? null,
    policy: principal.policy ?? null,
    ...(sourceIp === null ? {} : { sourceIp }),
  };
}

/**
 * "May this principal do this", asked once per KMS request, after the edge authenticated and parsed it and
 * before its handler runs: the keys the request names are resolved (the cache, no replay), and the
 * Authorizer evaluates the key policy, the grants and the caller's identity policies. A key that cannot be
 * resolved is left to the handler, which answers NotFound (or the validation error) as AWS does; the
 * request is then judged by the identity policies alone, so a principal with no KMS permission at all is
 * still refused.
 */
@Injectable()
export class KmsRequestAuthorization {
  constructor(
    private readonly authorizer: Authorizer,
    private readonly keys: KeyResolver,
    private readonly repository: LedgerRepository,
    private readonly cache: KeyStateCache,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async enforce(
    operation: string,
    input: Readonly<Record<string, unknown>>,
    principal: Principal,
    sourceIp: string | null,
    region: string,
  ): Promise<{ caller: Caller; decisions: AuthorizationDecision[] }> {
    const caller = callerFrom(principal, this.config.accountId, sourceIp);
    if (DECIDED_BY_GRANT.has(operation)) {
      checkGrantTokens(input.GrantTokens);
      return { caller, decisions: [] };
    }
    const named = namedKeys(operation, input);
    const key =
      named.keyOfAlias !== undefined
        ? await this.load(named.keyOfAlias, region)
        : await this.load(named.key ?? undefined, region);
    const otherKey = await this.load(named.otherKey, region);
    const decisions = await this.authorizer.enforce({
      caller,
      operation,
      input,
      now: this.clock.now().getTime(),
      key,
      otherKey,
    });
    return { caller, decisions };
  }

  /** `keyId` of the answer is the key's ledger id in the request's region (its stream); aliases are that region's. */
  private async load(identifier: string | undefined, region: string): Promise<KeyInRequest | undefined> {
    if (identifier === undefined) return undefined;
    let keyId: string;
    try {
      keyId = await this.keys.refOf(identifier, { allowAlias: true, region });
    } catch (error) {
      if (error instanceof DomainError) return undefined;
      throw error;
    }
    const loaded = await this.repository.loadKey(keyId);
    if (loaded === undefined || !loaded.state.exists) return undefined;
    const aliases = aliasesOfKeyIn(this.cache, this.config, region, bareId(keyId)).map(bareId);
    return { keyId, revision: loaded.revision, state: loaded.state, aliases };
  }
}
