import { Controller, Get, Inject, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessDenied, authorizeLedgerApi } from '@keyledger/kms-api';
import { toCsv } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { AwsErrorFilter } from '../edge/aws-error.filter.js';
import { callerOf } from '../edge/authenticated-caller.js';
import { SigV4Guard } from '../edge/sigv4.guard.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { ledgerWireError } from '../ledger-api/ledger-api-errors.js';
import { format, optionalInteger, optionalTime, single, type RawQuery } from '../ledger-api/ledger-api-input.js';
import { BackingKeysQuery } from './queries/backing-keys.query.js';
import { DeletionImpactQuery } from './queries/deletion-impact.query.js';
import { KeyUsageQuery } from './queries/key-usage.query.js';
import { UnusedKeysQuery } from './queries/unused-keys.query.js';
import { UNUSED_KEYS_COLUMNS, USAGE_COLUMNS } from './usage-openapi.js';

const JSON_TYPE = 'application/json';
const CSV_TYPE = 'text/csv; charset=utf-8';

type Result = { json: unknown } | { csv: string };
type KeyRequest = FastifyRequest<{ Params: { keyId: string } }>;

const rows = (items: readonly object[]) => items as unknown as Array<Record<string, unknown>>;
const days = (query: RawQuery, fallback: number) =>
  optionalInteger(single(query, 'days'), 'days', 1, 36_500) ?? fallback;

/**
 * The usage views of the ledger API (/v1): who used a key, its backing keys' use, unused keys and what a
 * deletion would break. Signed and open to the same roles as the rest of /v1; each view is one question
 * on the query bus. `region`, as on the rest of /v1: a key view's default is a key ARN's own region, else
 * the home region; the unused-keys report's is every region.
 */
@Controller('v1')
@UseGuards(SigV4Guard)
@UseFilters(new AwsErrorFilter({ name: 'LedgerApi', contentType: JSON_TYPE, toWire: ledgerWireError }))
export class UsageApiController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  @Get('keys/:keyId/usage')
  keyUsage(@Req() request: KeyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (query) => {
      const as = format(query);
      const report = await this.queries.execute(
        new KeyUsageQuery(request.params.keyId, {
          from: optionalTime(single(query, 'from'), 'from'),
          to: optionalTime(single(query, 'to'), 'to'),
          groupBy: single(query, 'groupBy'),
          region: single(query, 'region'),
        }),
      );
      return as === 'csv' ? { csv: toCsv(rows(report.groups), USAGE_COLUMNS) } : { json: report };
    });
  }

  @Get('keys/:keyId/backing-keys')
  backingKeys(@Req() request: KeyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (query) => ({
      json: await this.queries.execute(
        new BackingKeysQuery(
          request.params.keyId,
          optionalTime(single(query, 'from'), 'from'),
          optionalTime(single(query, 'to'), 'to'),
          single(query, 'region'),
        ),
      ),
    }));
  }

  @Get('keys/:keyId/deletion-impact')
  deletionImpact(@Req() request: KeyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (query) => ({
      json: await this.queries.execute(
        new DeletionImpactQuery(request.params.keyId, days(query, 30), single(query, 'region')),
      ),
    }));
  }

  @Get('reports/unused-keys')
  unusedKeys(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (query) => {
      const as = format(query);
      const report = await this.queries.execute(new UnusedKeysQuery(days(query, 90), single(query, 'region')));
      return as === 'csv' ? { csv: toCsv(rows(report.keys), UNUSED_KEYS_COLUMNS) } : { json: report };
    });
  }

  /** The guard has verified the signature; checks the role as the rest of /v1 does, answers. */
  private async serve(
    request: FastifyRequest,
    reply: FastifyReply,
    handler: (query: RawQuery) => Promise<Result>,
  ): Promise<void> {
    const caller = callerOf(request);
    if (!authorizeLedgerApi(caller.principal.role))
      throw accessDenied(caller.principal, 'keyledger:LedgerApi', this.config.accountId);
    const result = await handler(request.query as RawQuery);
    if ('json' in result) await reply.status(200).header('content-type', JSON_TYPE).send(JSON.stringify(result.json));
    else await reply.status(200).header('content-type', CSV_TYPE).send(result.csv);
  }
}
