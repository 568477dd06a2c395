import { Controller, Get, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessDenied, authorizeLedgerApi } from '@keyledger/kms-api';
import { DomainError, type Clock } from '@keyledger/ledger';
import { checkRegion, regionalKey } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { AwsErrorFilter } from '../edge/aws-error.filter.js';
import { callerOf } from '../edge/authenticated-caller.js';
import { SigV4Guard } from '../edge/sigv4.guard.js';
import { CLOCK, CONFIG } from '../infrastructure/tokens.js';
import { ledgerWireError, validation } from '../ledger-api/ledger-api-errors.js';
import { format, jsonBody, optionalTime, parseTime, single, type RawQuery } from '../ledger-api/ledger-api-input.js';
import { AccessAsOf, accessReviewCsv } from './access-as-of.js';

const EMPTY = Buffer.alloc(0);
const JSON_TYPE = 'application/json';
const CSV_TYPE = 'text/csv; charset=utf-8';

type Result = { json: unknown } | { csv: string };

/**
 * "Who could use key K at time T, and why", under the ledger API (/v1), signed and open to the same
 * principals: the policy and grants in force and each principal's operations; a simulated request; and
 * the periodic access review (every principal × key × operation). Every answer is a replay of the key
 * streams and the principals stream up to the time asked. `region`, as on the rest of /v1: a key's region
 * (default: a key ARN's own, else the home region); the review's is every region unless one is given.
 */
@Controller('v1')
@UseGuards(SigV4Guard)
@UseFilters(new AwsErrorFilter({ name: 'LedgerApi', contentType: JSON_TYPE, toWire: ledgerWireError }))
export class AccessApiController {
  constructor(
    private readonly access: AccessAsOf,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  @Get('keys/:keyId/access')
  keyAccess(@Req() request: FastifyRequest<{ Params: { keyId: string } }>, @Res() reply: FastifyReply) {
    return this.serve(request, reply, async () => {
      const query = request.query as RawQuery;
      const asOf = optionalTime(single(query, 'asOf'), 'asOf', () => this.clock.now());
      const key = this.keyRef(request.params.keyId, 'keyId', single(query, 'region'));
      return { json: await this.access.whoCould(key, asOf.getTime()) };
    });
  }

  @Post('access/simulate')
  simulate(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.serve(request, reply, async (body) => {
      const input = jsonBody(body);
      const asOf = input.asOf === undefined ? this.clock.now() : parseTime(input.asOf, 'asOf');
      const decision = await this.access.simulate({
        principal: requiredText(input.principal, 'principal'),
        action: requiredText(input.action, 'action'),
        keyId: this.keyRef(input.keyId, 'keyId', input.region),
        asOf: asOf.getTime(),
        ...optionalContext(input.encryptionContext),
        ...(input.sourceIp === undefined ? {} : { sourceIp: requiredText(input.sourceIp, 'sourceIp') }),
      });
      return { json: { asOf: asOf.toISOString(), ...decision } };
    });
  }

  @Get('reports/access-review')
  accessReview(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.serve(request, reply, async () => {
      const query = request.query as RawQuery;
      const as = format(query);
      const asOf = optionalTime(single(query, 'asOf'), 'asOf', () => this.clock.now());
      const rows = await this.access.accessReview(asOf.getTime(), checkRegion(single(query, 'region')));
      return as === 'csv' ? { csv: accessReviewCsv(rows) } : { json: { asOf: asOf.toISOString(), rows } };
    });
  }

  /**
   * A key id or key ARN in a region, as the ledger API's other key routes take them: the region given, else
   * a key ARN's own, else the home region. Answers the key's ledger id there (its stream's suffix).
   */
  private keyRef(value: unknown, name: string, region: unknown): string {
    if (region !== undefined && typeof region !== 'string') throw validation('region must be a region name');
    const text = requiredText(value, name);
    const inRegion = checkRegion(region);
    try {
      return regionalKey(
        { region: this.config.region, accountId: this.config.accountId, clock: this.clock },
        text,
        inRegion,
      ).ref;
    } catch (error) {
      // The region was checked above: what remains is an identifier that does not parse (or an ARN of another region).
      if (error instanceof DomainError) throw validation(`${name} must be a key id or key ARN`);
      throw error;
    }
  }

  private async serve(
    request: FastifyRequest,
    reply: FastifyReply,
    handler: (body: Buffer) => Promise<Result>,
  ): Promise<void> {
    const caller = callerOf(request);
    if (!authorizeLedgerApi(caller.principal.role))
      throw accessDenied(caller.principal, 'keyledger:LedgerApi', this.config.accountId);
    const result = await handler(Buffer.isBuffer(request.body) ? request.body : EMPTY);
    if ('json' in result) await reply.status(200).header('content-type', JSON_TYPE).send(JSON.stringify(result.json));
    else await reply.status(200).header('content-type', CSV_TYPE).send(result.csv);
  }
}

function requiredText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 2048)
    throw validation(`${name} must be a non-empty string`);
  return value;
}

function optionalContext(value: unknown): { encryptionContext?: Record<string, string> } {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw validation('encryptionContext must be an object of strings');
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw validation('encryptionContext must be an object of strings');
  }
  return { encryptionContext: value as Record<string, string> };
}
