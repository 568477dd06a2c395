import { UsageOperations } from './usage/usage.operations.js';
import { UsageRecorder } from './usage/usage-recorder.js';
import { UsageApiModule } from './usage/usage-api.module.js';
import { Module, type DynamicModule } from '@nestjs/common';
import { Authorizer } from './authorization/authorizer.js';
import { KeyAccessCache } from './authorization/key-access-cache.js';
import { KmsRequestAuthorization } from './authorization/kms-request-authorization.js';
import { KeyAccessCommands } from './authorization/key-access-commands.js';
import { InitialKeyPolicy } from './authorization/initial-key-policy.js';
import { AccessApiController } from './authorization/access-api.controller.js';
import { AccessAsOf } from './authorization/access-as-of.js';
import { KeyAccessOperations } from './kms/key-access.operations.js';
import { PrincipalDirectoryRecorder } from './authorization/principal-directory-recorder.js';
import { CqrsModule } from '@nestjs/cqrs';
import { ChangeAliasHandler } from './aliases/alias-commands.js';
import { BackingKeys } from './cryptography/backing-keys.js';
import { ShredKeyPool } from './cryptography/shred-key-pool.js';
import { CryptoOperations } from './cryptography/crypto-operations.js';
import { ServiceIndexController } from './health/service-index.controller.js';
import { InfrastructureModule, type InfrastructureOptions } from './infrastructure/infrastructure.module.js';
import { ChangeKeyHandler, CreateKeyHandler } from './keys/key-commands.js';
import { MultiRegionKeys } from './keys/multi-region-keys.js';
import { MultiRegionRepair } from './keys/multi-region-repair.js';
import { MultiRegionOperations } from './kms/multi-region.operations.js';
import { GetParametersForImportHandler, ImportKeyMaterialHandler } from './keys/key-import-commands.js';
import { KeyResolver } from './keys/key-resolver.js';
import { GetKeyHandler, ListAliasesHandler, ListKeysHandler } from './keys/key-queries.js';
import { KmsRoute } from './kms/kms-route.js';
import { EdgeModule } from './edge/edge.module.js';
import { AliasOperations } from './kms/alias.operations.js';
import { CryptographicOperations } from './kms/cryptographic.operations.js';
import { ImportOperations } from './kms/import.operations.js';
import { KeyManagementOperations } from './kms/key-management.operations.js';
import { KmsOperations } from './kms/kms-operations.js';
import { AsymmetricOperations } from './kms/asymmetric.operations.js';
import { RsaEncryption } from './cryptography/rsa-encryption.js';
import { LedgerRepository } from '@keyledger/key-store';
import { LedgerApiModule } from './ledger-api/ledger-api.module.js';
import { ConsoleModule } from './console/console.module.js';
import { KeyledgerMetrics } from './observability/metrics.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { Scheduler } from './scheduler/scheduler.service.js';
import { SeedLoader } from './seed/seed-loader.js';
import { SchedulerWakeup } from './scheduler/scheduler-wakeup.reaction.js';

@Module({})
export class AppModule {
  static forRoot(options: InfrastructureOptions & { metrics?: KeyledgerMetrics }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        ObservabilityModule.forRoot(options.metrics ?? new KeyledgerMetrics()),
        InfrastructureModule.forRoot(options),
        EdgeModule,
        LedgerApiModule,
        UsageApiModule,
        ConsoleModule,
      ],
      controllers: [ServiceIndexController, AccessApiController],
      providers: [
        LedgerRepository,
        KeyResolver,
        BackingKeys,
        MultiRegionKeys,
        MultiRegionRepair,
        MultiRegionOperations,
        ShredKeyPool,
        CryptoOperations,
        KeyManagementOperations,
        CryptographicOperations,
        AliasOperations,
        ImportOperations,
        UsageRecorder,
        UsageOperations,
        KmsOperations,
        KmsRoute,
        AsymmetricOperations,
        RsaEncryption,
        Scheduler,
        KeyAccessCache,
        Authorizer,
        KmsRequestAuthorization,
        PrincipalDirectoryRecorder,
        KeyAccessCommands,
        InitialKeyPolicy,
        AccessAsOf,
        KeyAccessOperations,
        SeedLoader,
        SchedulerWakeup,
        CreateKeyHandler,
        ChangeKeyHandler,
        ChangeAliasHandler,
        GetParametersForImportHandler,
        ImportKeyMaterialHandler,
        GetKeyHandler,
        ListKeysHandler,
        ListAliasesHandler,
      ],
    };
  }
}
