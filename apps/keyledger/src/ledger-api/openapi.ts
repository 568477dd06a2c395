import { accessPaths, accessSchemas } from '../authorization/access-openapi.js';
import { usageOpenApiPaths, usageOpenApiSchemas } from '../usage/usage-openapi.js';

/** Column order of the CSV forms: the JSON field names, in the order of the JSON. */
export const INVENTORY_COLUMNS = [
  'keyId',
  'arn',
  'aliases',
  'description',
  'origin',
  'keyState',
  'createdAt',
  'rotationEnabled',
  'rotationPeriodInDays',
  'lastRotatedAt',
  'nextRotationDate',
  'keyMaterialCount',
  'currentKeyMaterialAgeDays',
  'deletionDate',
  'validTo',
  'keySpec',
  'keyUsage',
];
export const COMPLIANCE_COLUMNS = ['keyId', 'compliant', 'reason', 'currentKeyMaterialAgeDays', 'lastRotatedAt'];
export const AUDIT_COLUMNS = [
  'position',
  'streamName',
  'revision',
  'type',
  'time',
  'recordedAt',
  'actor',
  'accessKeyId',
  'requestId',
  'data',
];

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' };
const nullableStr = { type: ['string', 'null'] };
const time = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const int = { type: 'integer' };
const nullableInt = { type: ['integer', 'null'] };
const bool = { type: 'boolean' };

const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = {
  '400': {
    description: 'ValidationException, SerializationException or InvalidMarkerException',
    content: json(ref('Error')),
  },
  '401': { description: 'MissingAuthenticationTokenException: the request is not signed', content: json(ref('Error')) },
  '403': {
    description:
      'AccessDeniedException (role), InvalidSignatureException, UnrecognizedClientException, IncompleteSignatureException',
    content: json(ref('Error')),
  },
  '500': { description: 'KMSInternalException', content: json(ref('Error')) },
};
const notFound = { '404': { description: 'NotFoundException', content: json(ref('Error')) } };
const ok = (schema: unknown, csv = false) => ({
  '200': {
    description: 'OK',
    content: csv
      ? {
          ...json(schema),
          'text/csv': { schema: { type: 'string', description: 'RFC 4180, header row of the JSON field names' } },
        }
      : json(schema),
  },
});
const queryParam = (name: string, schema: unknown, description: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
const asOfParam = queryParam('asOf', time, 'ISO 8601; default: now (server clock). A time without a zone is UTC.');
const formatParam = queryParam('format', { type: 'string', enum: ['json', 'csv'], default: 'json' }, 'Response format');
const keyIdParam = { name: 'keyId', in: 'path', required: true, schema: str, description: 'Key id or key ARN' };

const history = (idName: string) => ({
  type: 'object',
  required: [idName, 'events'],
  properties: { [idName]: str, events: { type: 'array', items: ref('HistoryEvent') } },
});

/** OpenAPI 3.1 description of /v1. Served unsigned at GET /v1/openapi.json. */
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
        parameters: [keyIdParam],
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
        ],
        responses: { ...ok(history('aliasName')), ...errors, ...notFound },
      },
    },
    '/v1/keys/{keyId}': {
      get: {
        operationId: 'keyStateAsOf',
        summary: 'The key as it was at asOf (404 if it did not exist then)',
        parameters: [keyIdParam, asOfParam],
        responses: { ...ok(ref('KeyStateAsOf')), ...errors, ...notFound },
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
        summary: 'Every key that existed at asOf',
        parameters: [asOfParam, formatParam],
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
        responses: { ...ok(ref('VerifyResult')), ...errors },
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
      Error: { type: 'object', required: ['__type', 'message'], properties: { __type: str, message: str } },
      Actor: {
        type: ['object', 'null'],
        properties: { principal: str, accessKeyId: nullableStr, sourceAddress: nullableStr },
      },
      HistoryEvent: {
        type: 'object',
        properties: {
          id: str,
          type: str,
          revision: { type: 'string', description: 'decimal' },
          position: { type: 'string', description: 'decimal' },
          recordedAt: time,
          time: nullableTime,
          actor: ref('Actor'),
          requestId: nullableStr,
          data: { type: 'object' },
        },
      },
      AuditEvent: { allOf: [ref('HistoryEvent'), { type: 'object', properties: { streamName: str } }] },
      KeyStateAsOf: {
        type: 'object',
        properties: {
          keyId: str,
          arn: str,
          asOf: time,
          keyState: { enum: ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Deleted'] },
          enabled: bool,
          origin: str,
          description: str,
          rotationEnabled: bool,
          rotationPeriodInDays: nullableInt,
          nextRotationDate: nullableTime,
          deletionDate: nullableTime,
          currentKeyMaterialId: nullableStr,
          createdAt: time,
          deletedAt: nullableTime,
          keyMaterials: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                keyMaterialId: str,
                state: { enum: ['CURRENT', 'NON_CURRENT', 'PENDING_ROTATION', 'DELETED', 'EXPIRED', 'DESTROYED'] },
                origin: str,
                createdAt: time,
                importState: { type: ['string', 'null'] },
                validTo: nullableTime,
              },
            },
          },
          aliases: { type: 'array', items: str },
          tags: { type: 'array', items: { type: 'object', properties: { TagKey: str, TagValue: str } } },
        },
      },
      Decryptability: {
        type: 'object',
        description:
          'Reasons in precedence order: INVALID_CIPHERTEXT, KEY_NOT_CREATED, KEY_DELETED, KEY_MATERIAL_NOT_CREATED, KEY_PENDING_DELETION, KEY_MATERIAL_NOT_IMPORTED, KEY_DISABLED, DECRYPTABLE; ' +
          'with a principal, NOT_AUTHORIZED when the key could decrypt but that principal could not (then principal and authorization are given)',
        properties: {
          decryptable: bool,
          reason: {
            enum: [
              'DECRYPTABLE',
              'KEY_NOT_CREATED',
              'KEY_MATERIAL_NOT_CREATED',
              'KEY_DISABLED',
              'KEY_PENDING_DELETION',
              'KEY_DELETED',
              'KEY_MATERIAL_NOT_IMPORTED',
              'INVALID_CIPHERTEXT',
              'NOT_AUTHORIZED',
            ],
          },
          keyId: nullableStr,
          keyMaterialId: nullableStr,
          asOf: time,
          keyState: nullableStr,
        },
      },
      InventoryReport: {
        type: 'object',
        properties: {
          asOf: time,
          keys: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                keyId: str,
                arn: str,
                aliases: { type: 'array', items: str },
                description: str,
                origin: str,
                keyState: str,
                createdAt: time,
                rotationEnabled: bool,
                rotationPeriodInDays: nullableInt,
                lastRotatedAt: nullableTime,
                nextRotationDate: nullableTime,
                keyMaterialCount: int,
                currentKeyMaterialAgeDays: { type: ['number', 'null'] },
                deletionDate: nullableTime,
                validTo: nullableTime,
                keySpec: str,
                keyUsage: str,
              },
            },
          },
        },
      },
      RotationComplianceReport: {
        type: 'object',
        properties: {
          asOf: time,
          maxAgeDays: int,
          summary: {
            type: 'object',
            properties: {
              total: int,
              compliant: int,
              nonCompliant: int,
              byReason: { type: 'object', additionalProperties: int },
            },
          },
          keys: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                keyId: str,
                compliant: bool,
                reason: {
                  enum: [
                    'ROTATED_WITHIN_PERIOD',
                    'NOT_YET_DUE',
                    'OVERDUE',
                    'ROTATION_DISABLED',
                    'IMPORTED_MATERIAL',
                    'MATERIAL_EXPIRING',
                    'PENDING_DELETION',
                    'DISABLED',
                    'NOT_APPLICABLE',
                  ],
                },
                currentKeyMaterialAgeDays: { type: ['number', 'null'] },
                lastRotatedAt: nullableTime,
              },
            },
          },
        },
      },
      VerifyResult: {
        type: 'object',
        properties: {
          ok: bool,
          eventsChecked: int,
          streamsChecked: int,
          firstBadEvent: {
            type: 'object',
            properties: { streamName: str, revision: str, position: str, problem: str },
          },
          lastCheckpoint: { type: 'object', properties: { position: str, time: time, streams: int } },
        },
      },
    },
  },
} as const;
