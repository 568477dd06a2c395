import { Module } from '@nestjs/common';
import { readSideProvider } from '../ledger-api/read-side-provider.js';
import { UsageQueries } from '@keyledger/read-models';
import { BackingKeysHandler } from './queries/backing-keys.query.js';
import { DeletionImpactHandler } from './queries/deletion-impact.query.js';
import { KeyUsageHandler } from './queries/key-usage.query.js';
import { UnusedKeysHandler } from './queries/unused-keys.query.js';
import { UsageApiController } from './usage-api.controller.js';

/** The usage views under /v1 and their questions on the query bus. Relies on the global InfrastructureModule. */
@Module({
  controllers: [UsageApiController],
  providers: [
    readSideProvider(UsageQueries),
    KeyUsageHandler,
    BackingKeysHandler,
    UnusedKeysHandler,
    DeletionImpactHandler,
  ],
})
export class UsageApiModule {}
