import { accessPaths, accessSchemas } from '../authorization/access-openapi.js';
import { ledgerSchemas } from './openapi-schemas.js';
import { usageOpenApiPaths, usageOpenApiSchemas } from '../usage/usage-openapi.js';
import {
  asOfParam,
  bool,
  errors,
  formatParam,
  history,
  int,
  json,
  keyIdParam,
  notFound,
  nullableStr,
  ok,
  queryParam,
  ref,
  region,
  regionFilter,
  regionParam,
  str,
  time,
} from './openapi-parts.js';

export { AUDIT_COLUMNS, COMPLIANCE_COLUMNS, INVENTORY_COLUMNS } from './csv-columns.js';

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Keyledger ledger API',
    version: '1',
    description:
      'History, state as of a time, decryptability, reports and tamper evidence, replayed from the event ledger. ' +
      'Every operation but this document is signed with AWS Signature Version 4 (service "kms", the server\'s region) ' +
      'and is open to the admin and auditor roles; writing a checkpoint is for admins. ' +
      'Times are domain times: each event\'s metadata.time. Errors are {"__type","message"}.',
  },
  security: [{ sigv4: [] }],
  paths: {
    ...accessPaths,
    '/v1/keys/{keyId}/events': {
      get: {
        operationId: 'keyHistory',
        summary: 'Every event of a key, oldest first; sealed secrets removed',
        parameters: [keyIdParam, regionParam],
        responses: { ...ok(history('keyId')), ...errors, ...notFound },
      },
    },
    '/v1/aliases/{aliasName}/events': {
      get: {
        operationId: 'aliasHistory',
        summary: 'Every event of an alias',
        parameters: [
          {
            name: 'aliasName',
            in: 'path',
            required: true,
            schema: str,
            description: 'URL-encoded, e.g. alias%2Fpayments',
          },
          queryParam('region', str, "The alias's region; default: KEYLEDGER_REGION"),
        ],
        responses: { ...ok(history('aliasName')), ...errors, ...notFound },
      },
    },
    '/v1/keys/{keyId}': {
      get: {
        operationId: 'keyStateAsOf',
        summary: 'The key as it was at asOf (404 if it did not exist then)',
        parameters: [keyIdParam, asOfParam, regionParam],
        responses: { ...ok(ref('KeyStateAsOf')), ...errors, ...notFound },
      },
    },
    '/v1/keys/{keyId}/replication': {
      get: {
        operationId: 'replicationAsOf',
        summary:
          'A multi-Region key (mrk- id) across its regions at asOf: each member, its role, when it was created, ' +
          'and which backing keys it held from when',
        parameters: [{ ...keyIdParam, description: 'A multi-Region key id (mrk-…)' }, asOfParam],
        responses: { ...ok(ref('ReplicationAsOf')), ...errors, ...notFound },
      },
    },
    '/v1/decryptability': {
      post: {
        operationId: 'decryptability',
        summary: 'Could this ciphertext be decrypted at asOf, and if not why. Replayed; nothing is decrypted.',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['ciphertextBlob'],
            properties: {
              ciphertextBlob: { type: 'string', contentEncoding: 'base64' },
              asOf: time,
              keyId: { type: 'string', description: 'Required for an RSA ciphertext, which names no key.' },
              region,
              principal: { type: 'string', description: 'Also ask whether this principal could decrypt it then.' },
              encryptionContext: { type: 'object', additionalProperties: str, description: 'With principal.' },
            },
          }),
        },
        responses: { ...ok(ref('Decryptability')), ...errors },
      },
    },
    '/v1/decryptability/batch': {
      post: {
        operationId: 'decryptabilityBatch',
        summary: 'Up to 1000 ciphertexts, each with its own asOf or a shared one',
        requestBody: {
          required: true,
          content: json({
            oneOf: [
              {
                type: 'object',
                required: ['items'],
                properties: {
                  items: {
                    type: 'array',
                    minItems: 1,
                    maxItems: 1000,
                    items: {
                      type: 'object',
                      required: ['ciphertextBlob'],
                      properties: {
                        ciphertextBlob: { type: 'string', contentEncoding: 'base64' },
                        asOf: time,
                        keyId: { type: 'string', description: 'Required for an RSA ciphertext, which names no key.' },
                        region,
                      },
                    },
                  },
                  asOf: time,
                },
              },
              {
                type: 'object',
                required: ['ciphertextBlobs'],
                properties: {
                  ciphertextBlobs: {
                    type: 'array',
                    minItems: 1,
                    maxItems: 1000,
                    items: { type: 'string', contentEncoding: 'base64' },
                  },
                  asOf: time,
                },
              },
            ],
          }),
        },
        responses: {
          ...ok({ type: 'object', properties: { results: { type: 'array', items: ref('Decryptability') } } }),
          ...errors,
        },
      },
    },
    '/v1/reports/inventory': {
      get: {
        operationId: 'inventory',
        summary: 'Every key that existed at asOf, with its last use then (from the usage ledger)',
        parameters: [asOfParam, regionFilter, formatParam],
        responses: { ...ok(ref('InventoryReport'), true), ...errors },
      },
    },
    '/v1/reports/rotation-compliance': {
      get: {
        operationId: 'rotationCompliance',
        summary: "Whether each live key's current backing key is at most maxAgeDays old",
        parameters: [
          queryParam('maxAgeDays', { type: 'integer', minimum: 1, maximum: 36500, default: 365 }, 'Policy age'),
          asOfParam,
          regionFilter,
          formatParam,
        ],
        responses: { ...ok(ref('RotationComplianceReport'), true), ...errors },
      },
    },
    '/v1/audit/events': {
      get: {
        operationId: 'auditEvents',
        summary:
          'Events of every stream in log order, filtered and paged. Follow nextCursor (CSV: x-keyledger-next-cursor header) until null; a page may be short.',
        parameters: [
          queryParam('from', time, 'Inclusive, domain time'),
          queryParam('to', time, 'Inclusive, domain time'),
          queryParam(
            'keyId',
            str,
            "The key's events, its usage events and the alias events that pointed at it or away from it",
          ),
          regionParam,
          queryParam(
            'actor',
            str,
            'Principal ARN, user name or access key id; of a usage event, the principal who used the key',
          ),
          queryParam('type', str, 'Event type, or a comma-separated list (KeyUsageRecorded,KeyUsageRefused: usage)'),
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, 'Page size'),
          queryParam('cursor', str, 'nextCursor of the previous page'),
          formatParam,
        ],
        responses: {
          ...ok(
            {
              type: 'object',
              properties: { events: { type: 'array', items: ref('AuditEvent') }, nextCursor: nullableStr },
            },
            true,
          ),
          ...errors,
        },
      },
    },
    '/v1/audit/verify': {
      get: {
        operationId: 'verifyLedger',
        summary: 'Recompute every hash chain and check the signed checkpoints',
        description:
          'With `Accept: application/x-ndjson` the answer is streamed as JSON lines: `{"progress":{"eventsChecked",' +
          '"eventsTotal"}}` at the start and as the scan goes (eventsTotal null where the store cannot count cheaply), ' +
          'then one `{"result":VerifyResult}`, or `{"error":Error}` if the run failed after the answer began. ' +
          'Closing the connection stops the scan.',
        responses: {
          '200': {
            description: 'OK',
            content: {
              ...json(ref('VerifyResult')),
              'application/x-ndjson': { schema: ref('VerifyProgressLine') },
            },
          },
          ...errors,
        },
      },
    },
    '/v1/audit/checkpoints': {
      post: {
        operationId: 'writeCheckpoint',
        summary: 'Write a signed checkpoint of every stream head now (admin only)',
        responses: { ...ok({ type: 'object', properties: { position: str, streams: int, written: bool } }), ...errors },
      },
    },
    '/v1/openapi.json': {
      get: {
        operationId: 'openApi',
        summary: 'This document (unsigned)',
        security: [],
        responses: { '200': { description: 'OK' } },
      },
    },
    ...usageOpenApiPaths,
  },
  components: {
    securitySchemes: {
      sigv4: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: 'AWS Signature Version 4, service "kms"',
      },
    },
    schemas: {
      ...accessSchemas,
      ...usageOpenApiSchemas,
      ...ledgerSchemas,
    },
  },
} as const;
