import { All, Controller, Get, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import {
  accessDenied,
  authorizeLedgerApi,
  KmsError,
  principalArn,
  verifySigV4,
  type Principal,
  type PrincipalDirectory,
} from '@keyledger/kms-api';
import type { Actor, Clock } from '@keyledger/ledger';
import {
  LedgerCheckpoints,
  LedgerQueries,
  MAX_DECRYPTABILITY_BATCH,
  toCsv,
  verifyLedger,
  type AuditEvent,
} from '@keyledger/read-models';
import type { EventStore } from '@keyledger/event-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE, PRINCIPALS } from '../infrastructure/tokens.js';
import { ledgerWireError, validation } from './ledger-api-errors.js';
import {
  ciphertextBlob,
  format,
  jsonBody,
  optionalInteger,
  optionalTime,
  parseTime,
  single,
  type RawQuery,
} from './ledger-api-input.js';
import { CHECKPOINT_KEY } from './ledger-api.tokens.js';
import { INVENTORY_COLUMNS, AUDIT_COLUMNS, COMPLIANCE_COLUMNS, openApiDocument } from './openapi.js';

const EMPTY = Buffer.alloc(0);
const JSON_TYPE = 'application/json';
const CSV_TYPE = 'text/csv; charset=utf-8';

interface Caller {
  principal: Principal;
  actor: Actor;
  requestId: string;
}

type Result = { json: unknown } | { csv: string; headers?: Record<string, string> };

/**
 * The ledger API under /v1: history, state as of a time, decryptability,
 * reports and verification. SigV4-signed like the KMS API (service `kms`, the
 * same verifier, clock and principals), open to admins and auditors.
 *
 * A thin controller over LedgerQueries (called directly rather than through
 * the QueryBus: every route is one read with no handler logic to share).
 */
@Controller('v1')
export class LedgerApiController {
  private readonly logger = new Logger('LedgerApi');

  constructor(
    private readonly queries: LedgerQueries,
    private readonly checkpoints: LedgerCheckpoints,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINT_KEY) private readonly checkpointKey: Buffer,
    @Inject(PRINCIPALS) private readonly principals: PrincipalDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  @Get('openapi.json')
  async openApi(@Res() reply: FastifyReply): Promise<void> {
    await reply.status(200).header('content-type', JSON_TYPE).send(JSON.stringify(openApiDocument));
  }

  @Get('keys/:keyId/events')
  keyEvents(@Req() request: FastifyRequest<{ Params: { keyId: string } }>, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async () => ({ json: await this.queries.keyHistory(request.params.keyId) }));
  }

  @Get('aliases/:aliasName/events')
  aliasEvents(
    @Req() request: FastifyRequest<{ Params: { aliasName: string } }>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.serve(request, reply, async () => ({
      json: await this.queries.aliasHistory(request.params.aliasName),
    }));
  }

  @Get('keys/:keyId')
  keyState(@Req() request: FastifyRequest<{ Params: { keyId: string } }>, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async () => {
      const query = request.query as RawQuery;
      const asOf = optionalTime(single(query, 'asOf'), 'asOf', () => this.clock.now());
      return { json: await this.queries.keyStateAsOf(request.params.keyId, asOf) };
    });
  }

  @Post('decryptability')
  decryptability(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (body) => {
      const input = jsonBody(body);
      const asOf = input.asOf === undefined ? this.clock.now() : parseTime(input.asOf, 'asOf');
      const keyId = optionalKeyId(input.keyId, 'keyId');
      return {
        json: await this.queries.decryptability(ciphertextBlob(input.ciphertextBlob, 'ciphertextBlob'), asOf, keyId),
      };
    });
  }

  @Post('decryptability/batch')
  decryptabilityBatch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (body) => {
      const input = jsonBody(body);
      const now = this.clock.now();
      const defaultAsOf = input.asOf === undefined ? now : parseTime(input.asOf, 'asOf');
      let items: Array<{ ciphertextBlob: Buffer; asOf: Date; keyId?: string }>;
      if (Array.isArray(input.items) && input.ciphertextBlobs === undefined) {
        checkBatchSize(input.items.length);
        items = input.items.map((item: unknown, i) => {
          if (typeof item !== 'object' || item === null) throw validation(`items[${i}] must be an object`);
          const { ciphertextBlob: blob, asOf, keyId } = item as Record<string, unknown>;
          return {
            ciphertextBlob: ciphertextBlob(blob, `items[${i}].ciphertextBlob`),
            asOf: asOf === undefined ? defaultAsOf : parseTime(asOf, `items[${i}].asOf`),
            keyId: optionalKeyId(keyId, `items[${i}].keyId`),
          };
        });
      } else if (Array.isArray(input.ciphertextBlobs) && input.items === undefined) {
        checkBatchSize(input.ciphertextBlobs.length);
        items = input.ciphertextBlobs.map((blob: unknown, i) => ({
          ciphertextBlob: ciphertextBlob(blob, `ciphertextBlobs[${i}]`),
          asOf: defaultAsOf,
        }));
      } else {
        throw validation('Give either items: [{ ciphertextBlob, asOf? }] or ciphertextBlobs: [...]');
      }
      return { json: { results: await this.queries.decryptabilityItems(items) } };
    });
  }

  @Get('reports/inventory')
  inventory(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async () => {
      const query = request.query as RawQuery;
      const as = format(query);
      const report = await this.queries.inventory(optionalTime(single(query, 'asOf'), 'asOf', () => this.clock.now()));
      return as === 'csv'
        ? { csv: toCsv(report.keys as unknown as Array<Record<string, unknown>>, INVENTORY_COLUMNS) }
        : { json: report };
    });
  }

  @Get('reports/rotation-compliance')
  rotationCompliance(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async () => {
      const query = request.query as RawQuery;
      const as = format(query);
      const maxAgeDays = optionalInteger(single(query, 'maxAgeDays'), 'maxAgeDays', 1, 36_500) ?? 365;
      const report = await this.queries.rotationCompliance(
        optionalTime(single(query, 'asOf'), 'asOf', () => this.clock.now()),
        maxAgeDays,
      );
      return as === 'csv'
        ? { csv: toCsv(report.keys as unknown as Array<Record<string, unknown>>, COMPLIANCE_COLUMNS) }
        : { json: report };
    });
  }

  @Get('audit/events')
  auditEvents(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (): Promise<Result> => {
      const query = request.query as RawQuery;
      const as = format(query);
      const page = await this.queries.auditEvents({
        from: optionalTime(single(query, 'from'), 'from'),
        to: optionalTime(single(query, 'to'), 'to'),
        keyId: single(query, 'keyId'),
        actor: single(query, 'actor'),
        type: single(query, 'type'),
        limit: optionalInteger(single(query, 'limit'), 'limit', 1, 1000),
        cursor: single(query, 'cursor'),
      });
      if (as === 'json') return { json: page };
      return {
        csv: toCsv(page.events.map(auditRow), AUDIT_COLUMNS),
        headers:
          page.nextCursor === null ? {} : ({ 'x-keyledger-next-cursor': page.nextCursor } as Record<string, string>),
      };
    });
  }

  @Get('audit/verify')
  verify(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async () => ({ json: await verifyLedger(this.store, this.checkpointKey) }));
  }

  @Post('audit/checkpoints')
  checkpoint(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (_body, caller) => {
      if (caller.principal.role !== 'admin')
        throw accessDenied(caller.principal, 'keyledger:WriteCheckpoint', this.config.accountId);
      return { json: await this.checkpoints.write({ actor: caller.actor, requestId: caller.requestId }) };
    });
  }

  /**
   * Anything else under /v1, after authentication: an alias name sent with
   * its slash unencoded (/v1/aliases/alias/x/events) is still understood;
   * the rest is a 404 in the API's error shape rather than the framework's.
   */
  @All('*')
  other(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async () => {
      const url = request.raw.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const alias = /^\/v1\/aliases\/(alias\/.+)\/events$/.exec(path);
      if (request.method === 'GET' && alias) {
        let name: string;
        try {
          name = decodeURIComponent(alias[1]!);
        } catch {
          throw validation('The alias name is not valid percent-encoding');
        }
        return { json: await this.queries.aliasHistory(name) };
      }
      throw new KmsError('NotFoundException', `No such resource: ${request.method} ${path.slice(0, 200)}`);
    });
  }

  /** Verifies the signature against the raw request line (Fastify has decoded params), checks the role, answers. */
  private async serve(
    request: FastifyRequest,
    reply: FastifyReply,
    handler: (body: Buffer, caller: Caller) => Promise<Result>,
  ): Promise<void> {
    const requestId = randomUUID();
    reply.header('x-amzn-RequestId', requestId);
    try {
      const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
      const url = request.raw.url ?? '/';
      const q = url.indexOf('?');
      const { accessKeyId } = verifySigV4(
        {
          method: request.method,
          path: q < 0 ? url : url.slice(0, q),
          query: q < 0 ? '' : url.slice(q + 1),
          headers: request.headers,
          body,
        },
        {
          region: this.config.region,
          service: 'kms',
          now: this.clock.now(),
          lookupSecret: this.principals.lookupSecret,
        },
      );
      const principal = this.principals.lookup(accessKeyId)!;
      if (!authorizeLedgerApi(principal.role))
        throw accessDenied(principal, 'keyledger:LedgerApi', this.config.accountId);
      const caller: Caller = {
        principal,
        requestId,
        actor: {
          principal: principalArn(principal, this.config.accountId),
          accessKeyId,
          sourceAddress: request.ip ?? null,
        },
      };
      const result = await handler(body, caller);
      if ('json' in result) await reply.status(200).header('content-type', JSON_TYPE).send(JSON.stringify(result.json));
      else
        await reply
          .status(200)
          .headers(result.headers ?? {})
          .header('content-type', CSV_TYPE)
          .send(result.csv);
    } catch (error) {
      const wire = ledgerWireError(error);
      if (wire.statusCode >= 500) this.logInternal(error, requestId);
      await reply.status(wire.statusCode).header('content-type', JSON_TYPE).send(JSON.stringify(wire.body));
    }
  }

  /** The error's kind and where it came from, never its message: a message could carry data. */
  private logInternal(error: unknown, requestId: string): void {
    const name = error instanceof Error ? error.name : typeof error;
    const where = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 6).join('\n') : '';
    this.logger.error(`request ${requestId} failed with ${name}\n${where}`);
  }
}

function checkBatchSize(length: number): void {
  if (length === 0 || length > MAX_DECRYPTABILITY_BATCH)
    throw validation(`A batch holds 1 to ${MAX_DECRYPTABILITY_BATCH} ciphertexts, got ${length}`);
}

function auditRow(event: AuditEvent): Record<string, unknown> {
  return {
    position: event.position,
    streamName: event.streamName,
    revision: event.revision,
    type: event.type,
    time: event.time,
    recordedAt: event.recordedAt,
    actor: event.actor?.principal ?? null,
    accessKeyId: event.actor?.accessKeyId ?? null,
    requestId: event.requestId,
    data: JSON.stringify(event.data),
  };
}

/** A key id or key ARN naming the key of an RSA ciphertext (which names no key itself). */
function optionalKeyId(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048)
    throw validation(`${name} must be a key id or key ARN`);
  return value;
}
