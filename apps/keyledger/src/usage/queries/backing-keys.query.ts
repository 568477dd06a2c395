import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { UsageQueries, type BackingKeysReport } from '@keyledger/read-models';

/** Each backing key of a key: its state now, its last use, its use in a window. */
export class BackingKeysQuery extends Query<BackingKeysReport> {
  constructor(
    readonly keyId: string,
    readonly from: Date | undefined,
    readonly to: Date | undefined,
    readonly region?: string,
  ) {
    super();
  }
}

@QueryHandler(BackingKeysQuery)
export class BackingKeysHandler implements IQueryHandler<BackingKeysQuery, BackingKeysReport> {
  constructor(private readonly usage: UsageQueries) {}
  execute(query: BackingKeysQuery): Promise<BackingKeysReport> {
    return this.usage.backingKeys(query.keyId, { from: query.from, to: query.to, region: query.region });
  }
}
