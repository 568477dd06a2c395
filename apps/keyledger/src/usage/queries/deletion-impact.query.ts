import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { UsageQueries, type DeletionImpact } from '@keyledger/read-models';

/** Who and which backing keys used a key in the last N days: what its deletion would break. */
export class DeletionImpactQuery extends Query<DeletionImpact> {
  constructor(
    readonly keyId: string,
    readonly days: number,
    readonly region?: string,
  ) {
    super();
  }
}

@QueryHandler(DeletionImpactQuery)
export class DeletionImpactHandler implements IQueryHandler<DeletionImpactQuery, DeletionImpact> {
  constructor(private readonly usage: UsageQueries) {}
  execute(query: DeletionImpactQuery): Promise<DeletionImpact> {
    return this.usage.deletionImpact(query.keyId, query.days, query.region);
  }
}
