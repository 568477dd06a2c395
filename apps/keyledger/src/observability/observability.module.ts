import { Global, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { SigV4Guard } from '../edge/sigv4.guard.js';
import { CheckpointStatus } from '../ledger-api/checkpoint-status.js';
import { LedgerApiModule } from '../ledger-api/ledger-api.module.js';
import { KeyledgerMetrics } from './metrics.js';
import { MetricsAccessGuard, MetricsController, ReadinessController } from './observability.controllers.js';
import { Readiness } from './readiness.js';
import { StoreHealth } from './store-health.js';
import { ViewLag } from './view-lag.js';

/** Readiness and metrics: what an orchestrator and a monitoring system ask the server. */
@Global()
@Module({})
export class ObservabilityModule implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: KeyledgerMetrics,
    private readonly readiness: Readiness,
    private readonly checkpoints: CheckpointStatus,
    private readonly viewLag: ViewLag,
  ) {}

  static forRoot(metrics: KeyledgerMetrics): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [LedgerApiModule],
      controllers: [ReadinessController, MetricsController],
      providers: [
        { provide: KeyledgerMetrics, useValue: metrics },
        StoreHealth,
        Readiness,
        SigV4Guard,
        MetricsAccessGuard,
        ViewLag,
      ],
      exports: [KeyledgerMetrics, StoreHealth],
    };
  }

  onApplicationBootstrap(): void {
    this.metrics.source({
      lastCheckpointAt: () => this.checkpoints.lastCheckpointAt,
      checkpointRefusals: () => this.checkpoints.refusals,
      ready: () => this.readiness.ready,
      viewEventsBehind: () => this.viewLag.eventsBehind(),
      viewSecondsSinceLastEvent: () => this.viewLag.secondsSinceLastEvent(),
    });
  }
}
