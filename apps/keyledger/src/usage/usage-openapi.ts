/** The usage views of the ledger API, as OpenAPI 3.1 paths and schemas merged into the /v1 document. */

/** Column order of the CSV forms: the JSON field names, in the order of the JSON. */
export const USAGE_COLUMNS = [
  'principal',
  'operation',
  'keyMaterialId',
  'day',
  'count',
  'refused',
  'refusals',
  'firstAt',
  'lastAt',
  'lastRequestId',
  'lastUsedAt',
  'sourceAddresses',
];
export const UNUSED_KEYS_COLUMNS = [
  'keyId',
  'arn',
  'region',
  'aliases',
  'description',
  'keySpec',
  'createdAt',
  'lastUsedAt',
  'lastOperation',
  'lastPrincipal',
  'daysSinceLastUse',
];

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' };
const nullableStr = { type: ['string', 'null'] };
const time = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };
const counts = { type: 'object', additionalProperties: int };
const strings = { type: 'array', items: str };

const json = (schema: unknown) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const errors = {
  '400': error('ValidationException'),
  '401': error('MissingAuthenticationTokenException'),
  '403': error('AccessDeniedException and signature errors'),
  '500': error('KMSInternalException'),
};
const notFound = { '404': error('NotFoundException: no such key') };
const ok = (schema: unknown, csv = false) => ({
  '200': {
    description: 'OK',
    content: csv
      ? { ...json(schema), 'text/csv': { schema: { type: 'string', description: 'RFC 4180, one row per item' } } }
      : json(schema),
  },
});
const query = (name: string, schema: unknown, description: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
const keyIdParam = { name: 'keyId', in: 'path', required: true, schema: str, description: 'Key id or key ARN' };
const fromParam = query('from', time, 'Start of the window of use times, inclusive; default: 30 days before to');
const toParam = query('to', time, 'End of the window of use times, inclusive; default: now');
const formatParam = query('format', { type: 'string', enum: ['json', 'csv'], default: 'json' }, 'Response format');
const regionParam = query('region', str, "The key's region; default: a key ARN's own, else KEYLEDGER_REGION");
const regionFilter = query('region', str, 'Only the keys of this region; default: every region');
const daysParam = (fallback: number) =>
  query('days', { type: 'integer', minimum: 1, maximum: 36500, default: fallback }, 'The last N days up to now');

const lastUse = {
  type: ['object', 'null'],
  properties: { at: time, operation: str, principal: str, keyMaterialId: nullableStr, requestId: str },
};

export const usageOpenApiPaths = {
  '/v1/keys/{keyId}/usage': {
    get: {
      operationId: 'keyUsage',
      summary:
        'Who used the key, for which operation and with which backing key, in a window; refused attempts with their ' +
        'error types. Counts are per minute aggregate: an aggregate overlapping the window counts in full. Usage is ' +
        'in the ledger once flushed (KEYLEDGER_USAGE_FLUSH_MS).',
      parameters: [
        keyIdParam,
        fromParam,
        toParam,
        query(
          'groupBy',
          str,
          'principal, operation, keyMaterialId or day, or a comma list of them; default principal,operation,keyMaterialId',
        ),
        regionParam,
        formatParam,
      ],
      responses: { ...ok(ref('KeyUsageReport'), true), ...errors, ...notFound },
    },
  },
  '/v1/keys/{keyId}/backing-keys': {
    get: {
      operationId: 'backingKeyUsage',
      summary:
        'Each backing key with its state now, its last use, and its use in the window: which old backing keys still ' +
        'decrypt traffic',
      parameters: [keyIdParam, fromParam, toParam, regionParam],
      responses: { ...ok(ref('BackingKeysReport')), ...errors, ...notFound },
    },
  },
  '/v1/keys/{keyId}/deletion-impact': {
    get: {
      operationId: 'deletionImpact',
      summary: 'Who used the key and which of its backing keys in the last N days, and when each did last',
      parameters: [keyIdParam, daysParam(30), regionParam],
      responses: { ...ok(ref('DeletionImpact')), ...errors, ...notFound },
    },
  },
  '/v1/reports/unused-keys': {
    get: {
      operationId: 'unusedKeys',
      summary:
        'Enabled keys, created before the window, with no successful use in the last N days: candidates for ' +
        'disabling before deletion',
      parameters: [daysParam(90), regionFilter, formatParam],
      responses: { ...ok(ref('UnusedKeysReport'), true), ...errors },
    },
  },
};

export const usageOpenApiSchemas = {
  KeyUsageReport: {
    type: 'object',
    properties: {
      keyId: str,
      arn: str,
      region: str,
      from: time,
      to: time,
      groupBy: strings,
      trackingStartedAt: nullableTime,
      totals: { type: 'object', properties: { count: int, refused: int } },
      groups: {
        type: 'array',
        items: {
          type: 'object',
          description: 'Only the dimensions grouped by are present',
          properties: {
            principal: str,
            operation: str,
            keyMaterialId: nullableStr,
            day: { type: 'string', format: 'date' },
            count: int,
            refused: int,
            refusals: counts,
            firstAt: time,
            lastAt: time,
            lastRequestId: str,
            lastUsedAt: nullableTime,
            sourceAddresses: strings,
          },
        },
      },
    },
  },
  BackingKeysReport: {
    type: 'object',
    properties: {
      keyId: str,
      arn: str,
      region: str,
      from: time,
      to: time,
      backingKeys: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            keyMaterialId: str,
            state: str,
            current: bool,
            origin: str,
            createdAt: time,
            validTo: nullableTime,
            lastUse,
            count: int,
            operations: counts,
            principals: int,
            refused: int,
          },
        },
      },
    },
  },
  DeletionImpact: {
    type: 'object',
    properties: {
      keyId: str,
      arn: str,
      region: str,
      keyState: str,
      asOf: time,
      days: int,
      since: time,
      aliases: strings,
      used: bool,
      count: int,
      principals: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            principal: str,
            count: int,
            operations: strings,
            keyMaterialIds: strings,
            lastUsedAt: time,
            lastOperation: str,
            lastRequestId: str,
          },
        },
      },
      backingKeys: {
        type: 'array',
        items: {
          type: 'object',
          properties: { keyMaterialId: str, state: nullableStr, count: int, principals: strings, lastUsedAt: time },
        },
      },
      refused: int,
      trackingStartedAt: nullableTime,
      complete: { type: 'boolean', description: 'False when usage tracking began after the window started' },
    },
  },
  UnusedKeysReport: {
    type: 'object',
    properties: {
      asOf: time,
      days: int,
      region: { type: ['string', 'null'], description: 'The region reported on; null: every region' },
      since: time,
      trackingStartedAt: nullableTime,
      complete: { type: 'boolean', description: 'False when usage tracking began after the window started' },
      keys: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            keyId: str,
            arn: str,
            region: str,
            aliases: strings,
            description: str,
            keySpec: str,
            createdAt: time,
            lastUsedAt: nullableTime,
            lastOperation: nullableStr,
            lastPrincipal: nullableStr,
            daysSinceLastUse: { type: ['number', 'null'] },
          },
        },
      },
    },
  },
};
