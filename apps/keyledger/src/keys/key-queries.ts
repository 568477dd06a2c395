import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { AliasAggregate } from '@keyledger/ledger';
import { LedgerView } from '@keyledger/read-models';
import { page, type Page } from '../ledger/paging.js';
import { KeyResolver, type ResolvedKey } from './key-resolver.js';

export class GetKeyQuery extends Query<ResolvedKey> {
  constructor(
    readonly keyId: string,
    readonly allowAlias: boolean,
  ) {
    super();
  }
}

export class ListKeysQuery extends Query<Page<ResolvedKey>> {
  constructor(
    readonly limit: number | undefined,
    readonly marker: string | undefined,
  ) {
    super();
  }
}

export class ListAliasesQuery extends Query<Page<AliasAggregate>> {
  constructor(
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
    return this.keys.resolve(query.keyId, { allowAlias: query.allowAlias });
  }
}

@QueryHandler(ListKeysQuery)
export class ListKeysHandler implements IQueryHandler<ListKeysQuery, Page<ResolvedKey>> {
  constructor(private readonly view: LedgerView) {}
  async execute(query: ListKeysQuery): Promise<Page<ResolvedKey>> {
    // Deleted keys are gone for KMS clients (their streams stay for audit).
    const live: ResolvedKey[] = [];
    for (const keyId of this.view.keyIds()) {
      const entry = this.view.key(keyId);
      if (entry && entry.state.exists && !entry.state.deleted) live.push({ keyId, ...entry });
    }
    return page(live, query.limit, query.marker);
  }
}

@QueryHandler(ListAliasesQuery)
export class ListAliasesHandler implements IQueryHandler<ListAliasesQuery, Page<AliasAggregate>> {
  constructor(
    private readonly view: LedgerView,
    private readonly keys: KeyResolver,
  ) {}
  async execute(query: ListAliasesQuery): Promise<Page<AliasAggregate>> {
    const names =
      query.keyId === undefined
        ? this.view.aliasNames()
        : this.view.aliasesOf((await this.keys.resolve(query.keyId, { allowAlias: false })).keyId);
    const aliases = names.map((name) => this.view.alias(name)!.state).filter((a) => a.exists);
    return page(aliases, query.limit, query.marker);
  }
}
