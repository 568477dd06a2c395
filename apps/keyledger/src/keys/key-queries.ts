import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { AliasAggregate } from '@keyledger/ledger';
import { Inject } from '@nestjs/common';
import { KeyStateCache } from '@keyledger/key-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { page, type Page } from '../ledger/paging.js';
import { aliasesIn, aliasesOfKeyIn, aliasStates, liveKeysIn } from '../regions/regional-listing.js';
import { KeyResolver, type ResolvedKey } from './key-resolver.js';

export class GetKeyQuery extends Query<ResolvedKey> {
  constructor(
    readonly keyId: string,
    readonly allowAlias: boolean,
    /** The region the request acts in. */
    readonly region: string,
  ) {
    super();
  }
}

export class ListKeysQuery extends Query<Page<ResolvedKey>> {
  constructor(
    readonly region: string,
    readonly limit: number | undefined,
    readonly marker: string | undefined,
  ) {
    super();
  }
}

export class ListAliasesQuery extends Query<Page<AliasAggregate>> {
  constructor(
    readonly region: string,
    readonly keyId: string | undefined,
    readonly limit: number | undefined,
    readonly marker: string | undefined,
  ) {
    super();
  }
}

@QueryHandler(GetKeyQuery)
export class GetKeyHandler implements IQueryHandler<GetKeyQuery, ResolvedKey> {
  constructor(private readonly keys: KeyResolver) {}
  execute(query: GetKeyQuery): Promise<ResolvedKey> {
    return this.keys.resolve(query.keyId, { allowAlias: query.allowAlias, region: query.region });
  }
}

@QueryHandler(ListKeysQuery)
export class ListKeysHandler implements IQueryHandler<ListKeysQuery, Page<ResolvedKey>> {
  constructor(
    private readonly cache: KeyStateCache,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}
  async execute(query: ListKeysQuery): Promise<Page<ResolvedKey>> {
    return page(liveKeysIn(this.cache, this.config, query.region), query.limit, query.marker);
  }
}

@QueryHandler(ListAliasesQuery)
export class ListAliasesHandler implements IQueryHandler<ListAliasesQuery, Page<AliasAggregate>> {
  constructor(
    private readonly cache: KeyStateCache,
    private readonly keys: KeyResolver,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}
  async execute(query: ListAliasesQuery): Promise<Page<AliasAggregate>> {
    const { region } = query;
    if (query.keyId === undefined) return page(aliasesIn(this.cache, this.config, region), query.limit, query.marker);
    const { keyId } = await this.keys.resolve(query.keyId, { allowAlias: false, region });
    return page(
      aliasStates(this.cache, aliasesOfKeyIn(this.cache, this.config, region, keyId)),
      query.limit,
      query.marker,
    );
  }
}
