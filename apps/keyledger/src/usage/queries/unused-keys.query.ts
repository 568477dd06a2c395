import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { UsageQueries, type UnusedKeysReport } from '@keyledger/read-models';

/** Enabled keys with no successful use in the last N days, of every region or of one. */
export class UnusedKeysQuery extends Query<UnusedKeysReport> {
  constructor(
    readonly days: number,
    readonly region?: string,
  ) {
    super();
  }
}

@QueryHandler(UnusedKeysQuery)
export class UnusedKeysHandler implements IQueryHandler<UnusedKeysQuery, UnusedKeysReport> {
  constructor(private readonly usage: UsageQueries) {}
  execute(query: UnusedKeysQuery): Promise<UnusedKeysReport> {
    return this.usage.unusedKeys(query.days, query.region);
  }
}
