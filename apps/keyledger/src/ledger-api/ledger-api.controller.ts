import { All, Controller, Get, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accessDenied, authorizeLedgerApi, KmsError } from '@keyledger/kms-api';
import type { Clock } from '@keyledger/ledger';
import { CheckpointKeys, CheckpointRefusedError, LedgerCheckpoints, verifyLedger } from '@keyledger/integrity';
import {
  LedgerProjection,
  LedgerQueries,
  MAX_DECRYPTABILITY_BATCH,
  toCsv,
  type AuditEvent,
  type DecryptabilityItem,
} from '@keyledger/read-models';
import type { EventStore } from '@keyledger/event-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { AwsErrorFilter } from '../edge/aws-error.filter.js';
import { callerOf, Unsigned, type AuthenticatedCaller } from '../edge/authenticated-caller.js';
import { SigV4Guard } from '../edge/sigv4.guard.js';
import { CLOCK, CONFIG, EVENT_STORE } from '../infrastructure/tokens.js';
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
import { AccessAsOf } from '../authorization/access-as-of.js';
import { decryptabilityFor, principalQuestion } from '../authorization/principal-decryptability.js';
import { CheckpointWriter } from './checkpoint-writer.js';
import { CHECKPOINT_KEYS } from './ledger-api.tokens.js';
import { INVENTORY_COLUMNS, AUDIT_COLUMNS, COMPLIANCE_COLUMNS, openApiDocument } from './openapi.js';
import { eventsInLedger, streamVerify, wantsProgress } from './verify-progress.js';

const EMPTY = Buffer.alloc(0);
const JSON_TYPE = 'application/json';
const CSV_TYPE = 'text/csv; charset=utf-8';

type Caller = AuthenticatedCaller;

/** 'sent': the handler answered itself (a streamed answer). */
type Result = { json: unknown } | { csv: string; headers?: Record<string, string> } | 'sent';

/**
 * The ledger API under /v1: history, state as of a time, decryptability,
 * reports and verification. SigV4-signed like the KMS API (service `kms`, the
 * same verifier, clock and principals), open to admins and auditors.
 *
 * A thin controller over LedgerQueries (called directly rather than through
 * the QueryBus: every route is one read with no handler logic to share).
 */
@Controller('v1')
@UseGuards(SigV4Guard)
@UseFilters(new AwsErrorFilter({ name: 'LedgerApi', contentType: JSON_TYPE, toWire: ledgerWireError }))
export class LedgerApiController {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly checkpoints: LedgerCheckpoints,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly writer: CheckpointWriter,
    @Inject(CHECKPOINT_KEYS) private readonly checkpointKeys: CheckpointKeys,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    private readonly access: AccessAsOf,
    private readonly projection: LedgerProjection,
  ) {}

  @Get('openapi.json')
  @Unsigned()
  async openApi(@Res() reply: FastifyReply): Promise<void> {
    await reply.status(200).header('content-type', JSON_TYPE).send(JSON.stringify(openApiDocument));
  }

  @Get('keys/:keyId/events')
  keyEvents(@Req() request: FastifyRequest<{ Params: { keyId: string } }>, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async () => ({
      json: await this.queries.keyHistory(request.params.keyId, single(request.query as RawQuery, 'region')),
    }));
  }

  @Get('aliases/:aliasName/events')
  aliasEvents(
    @Req() request: FastifyRequest<{ Params: { aliasName: string } }>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.serve(request, reply, async () => ({
      json: await this.queries.aliasHistory(request.params.aliasName, single(request.query as RawQuery, 'region')),
    }));
  }

  @Get('keys/:keyId')
  keyState(@Req() request: FastifyRequest<{ Params: { keyId: string } }>, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async () => {
      const query = request.query as RawQuery;
      const asOf = optionalTime(single(query, 'asOf'), 'asOf', () => this.clock.now());
      return { json: await this.queries.keyStateAsOf(request.params.keyId, asOf, single(query, 'region')) };
    });
  }

  @Get('keys/:keyId/replication')
  replication(
    @Req() request: FastifyRequest<{ Params: { keyId: string } }>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.serve(request, reply, async () => {
      const asOf = optionalTime(single(request.query as RawQuery, 'asOf'), 'asOf', () => this.clock.now());
      return { json: await this.queries.replicationAsOf(request.params.keyId, asOf) };
    });
  }

  @Post('decryptability')
  decryptability(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (body) => {
      const input = jsonBody(body);
      const asOf = input.asOf === undefined ? this.clock.now() : parseTime(input.asOf, 'asOf');
      const keyId = optionalKeyId(input.keyId, 'keyId');
      const region = optionalRegion(input.region, 'region');
      const blob = ciphertextBlob(input.ciphertextBlob, 'ciphertextBlob');
      const answer = await this.queries.decryptability(blob, asOf, keyId, region);
      if (input.principal === undefined) return { json: answer };
      return { json: await decryptabilityFor(answer, principalQuestion(input), this.access, this.config.region) };
    });
  }

  @Post('decryptability/batch')
  decryptabilityBatch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (body) => {
      const input = jsonBody(body);
      const now = this.clock.now();
      const defaultAsOf = input.asOf === undefined ? now : parseTime(input.asOf, 'asOf');
      let items: DecryptabilityItem[];
      if (Array.isArray(input.items) && input.ciphertextBlobs === undefined) {
        checkBatchSize(input.items.length);
        items = input.items.map((item: unknown, i) => {
          if (typeof item !== 'object' || item === null) throw validation(`items[${i}] must be an object`);
          const { ciphertextBlob: blob, asOf, keyId, region } = item as Record<string, unknown>;
          return {
            ciphertextBlob: ciphertextBlob(blob, `items[${i}].ciphertextBlob`),
            asOf: asOf === undefined ? defaultAsOf : parseTime(asOf, `items[${i}].asOf`),
            keyId: optionalKeyId(keyId, `items[${i}].keyId`),
            region: optionalRegion(region, `items[${i}].region`),
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
      const report = await this.queries.inventory(
        optionalTime(single(query, 'asOf'), 'asOf', () => this.clock.now()),
        single(query, 'region'),
      );
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
        single(query, 'region'),
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
        region: single(query, 'region'),
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

  /** With `Accept: application/x-ndjson`, its progress as it goes, then the result (see streamVerify). */
  @Get('audit/verify')
  verify(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const run = async (onProgress?: (eventsChecked: number) => void) => ({
      ...(await verifyLedger(this.store, this.checkpointKeys, { requireCheckpoint: true, onProgress })),
      publicKey: this.publicKey(),
    });
    if (!wantsProgress(request)) return this.serve(request, reply, async () => ({ json: await run() }));
    return this.serve(request, reply, async () => {
      await streamVerify(reply, await eventsInLedger(this.store, this.projection.position), run);
      return 'sent';
    });
  }

  /** The key that checks every checkpoint without the root key: what an auditor keeps. */
  @Get('audit/public-key')
  checkpointPublicKey(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async () => ({ json: this.publicKey() }));
  }

  private publicKey(): { algorithm: 'Ed25519'; keyId: string; publicKeyPem: string } {
    return { algorithm: 'Ed25519', keyId: this.checkpointKeys.keyId, publicKeyPem: this.checkpointKeys.publicKeyPem() };
  }

  @Post('audit/checkpoints')
  checkpoint(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(request, reply, async (_body, caller) => {
      if (caller.principal.role !== 'admin')
        throw accessDenied(caller.principal, 'keyledger:WriteCheckpoint', this.config.accountId);
      // ?adopt=true: an admin vouches for a ledger from before genesis checkpoints (its whole chain is checked first).
      const adopt = single(request.query as RawQuery, 'adopt');
      if (adopt !== undefined && adopt !== 'true' && adopt !== 'false') throw validation('adopt must be true or false');
      try {
        const written = await this.checkpoints.write({
          actor: caller.actor,
          requestId: caller.requestId,
          adoptUncheckpointed: adopt === 'true',
        });
        this.writer.written(written);
        return { json: written };
      } catch (error) {
        this.writer.failed(error);
        if (error instanceof CheckpointRefusedError) throw new KmsError('LedgerIntegrityException', error.message, 409);
        throw error;
      }
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
      const alias = /^\/v1\/aliases\/(alias\/.+)\/events$/.exec(path)?.[1];
      if (request.method === 'GET' && alias !== undefined) {
        let name: string;
        try {
          name = decodeURIComponent(alias);
        } catch {
          throw validation('The alias name is not valid percent-encoding');
        }
        return { json: await this.queries.aliasHistory(name) };
      }
      throw new KmsError('NotFoundException', `No such resource: ${request.method} ${path.slice(0, 200)}`);
    });
  }

  /** The guard has verified the signature; checks the role, answers. Errors go to the edge's filter. */
  private async serve(
    request: FastifyRequest,
    reply: FastifyReply,
    handler: (body: Buffer, caller: Caller) => Promise<Result>,
  ): Promise<void> {
    const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
    const caller: Caller = callerOf(request);
    if (!authorizeLedgerApi(caller.principal.role))
      throw accessDenied(caller.principal, 'keyledger:LedgerApi', this.config.accountId);
    const result = await handler(body, caller);
    if (result === 'sent') return;
    if ('json' in result) await reply.status(200).header('content-type', JSON_TYPE).send(JSON.stringify(result.json));
    else
      await reply
        .status(200)
        .headers(result.headers ?? {})
        .header('content-type', CSV_TYPE)
        .send(result.csv);
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
/** A region name or absent; its form is checked where it is used (`checkRegion`). */
function optionalRegion(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw validation(`${name} must be a region name`);
  return value;
}

function optionalKeyId(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048)
    throw validation(`${name} must be a key id or key ARN`);
  return value;
}
