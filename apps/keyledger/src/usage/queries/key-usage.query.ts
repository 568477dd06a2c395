import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { UsageQueries, type KeyUsageFilter, type KeyUsageReport } from '@keyledger/read-models';

/** Who used a key, for what and with which backing key, in a window of use times. */
export class KeyUsageQuery extends Query<KeyUsageReport> {
  constructor(
    readonly keyId: string,
    readonly filter: KeyUsageFilter,
  ) {
    super();
  }
}

@QueryHandler(KeyUsageQuery)
export class KeyUsageHandler implements IQueryHandler<KeyUsageQuery, KeyUsageReport> {
  constructor(private readonly usage: UsageQueries) {}
  execute(query: KeyUsageQuery): Promise<KeyUsageReport> {
    return this.usage.keyUsage(query.keyId, query.filter);
  }
}
