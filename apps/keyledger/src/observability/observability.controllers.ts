import {
  Controller,
  Get,
  Inject,
  Injectable,
  Res,
  UseFilters,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessDenied, authorizeLedgerApi } from '@keyledger/kms-api';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { AwsErrorFilter } from '../edge/aws-error.filter.js';
import { callerOf } from '../edge/authenticated-caller.js';
import { SigV4Guard } from '../edge/sigv4.guard.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { ledgerWireError } from '../ledger-api/ledger-api-errors.js';
import { KeyledgerMetrics } from './metrics.js';
import { Readiness } from './readiness.js';

/**
 * `GET /readyz`: 200 when this server can serve (store reachable and writing, data
 * directory writable with room, view following the store), otherwise 503 with every
 * reason. Unsigned, like `/healthz`: load balancers and orchestrators probe it. It
 * names no key and no credential; the reasons name the data directory and the error
 * codes an operator acts on.
 */
@Controller('readyz')
export class ReadinessController {
  constructor(private readonly readiness: Readiness) {}

  @Get()
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.readiness.check();
    const reasons = Object.entries(report.checks)
      .filter(([, check]) => !check.ok)
      .map(([name, check]) => `${name}: ${check.reason}`);
    const body = report.ready
      ? { status: reasons.length === 0 ? 'ready' : 'degraded', checks: report.checks }
      : {
          __type: 'ServiceUnavailableException',
          message: `not ready: ${reasons.join('; ')}`,
          status: 'not ready',
          checks: report.checks,
        };
    await reply
      .status(report.ready ? 200 : 503)
      .header('content-type', 'application/json')
      .header('cache-control', 'no-store')
      .send(JSON.stringify(body));
  }
}

/**
 * Who may read `/metrics`: by default a SigV4-signed admin or auditor, as the ledger API;
 * with KEYLEDGER_METRICS_PUBLIC=1 anyone who can reach the port (a Prometheus scraper,
 * which cannot sign SigV4, on a network the operator controls). The metrics carry no key
 * id, alias, principal or address, only counts per operation.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(
    private readonly sigv4: SigV4Guard,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.config.observability.metricsPublic) return true;
    this.sigv4.canActivate(context);
    const { principal } = callerOf(context.switchToHttp().getRequest<FastifyRequest>());
    if (!authorizeLedgerApi(principal.role))
      throw accessDenied(principal, 'keyledger:ReadMetrics', this.config.accountId);
    return true;
  }
}

@Controller('metrics')
@UseGuards(MetricsAccessGuard)
// Plain HTTP like the ledger API, so its statuses: 401 unsigned, 403 refused.
@UseFilters(new AwsErrorFilter({ name: 'Metrics', contentType: 'application/json', toWire: ledgerWireError }))
export class MetricsController {
  constructor(private readonly metrics: KeyledgerMetrics) {}

  @Get()
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, text } = await this.metrics.exposition();
    await reply.status(200).header('content-type', contentType).header('cache-control', 'no-store').send(text);
  }
}
