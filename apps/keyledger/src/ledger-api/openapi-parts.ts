/** The building blocks the /v1 OpenAPI document's paths are written with. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const str = { type: 'string' };
export const nullableStr = { type: ['string', 'null'] };
export const time = { type: 'string', format: 'date-time' };
export const nullableTime = { type: ['string', 'null'], format: 'date-time' };
export const int = { type: 'integer' };
export const nullableInt = { type: ['integer', 'null'] };
export const bool = { type: 'boolean' };

export const json = (schema: unknown) => ({ 'application/json': { schema } });
export const errors = {
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
export const notFound = { '404': { description: 'NotFoundException', content: json(ref('Error')) } };
export const ok = (schema: unknown, csv = false) => ({
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
export const queryParam = (name: string, schema: unknown, description: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
export const asOfParam = queryParam(
  'asOf',
  time,
  'ISO 8601; default: now (server clock). A time without a zone is UTC.',
);
export const formatParam = queryParam(
  'format',
  { type: 'string', enum: ['json', 'csv'], default: 'json' },
  'Response format',
);
export const keyIdParam = { name: 'keyId', in: 'path', required: true, schema: str, description: 'Key id or key ARN' };
export const regionParam = queryParam(
  'region',
  str,
  "The key's region; default: a key ARN's own, else KEYLEDGER_REGION",
);
export const regionFilter = queryParam('region', str, 'Only the keys of this region; default: every region');
export const region = { type: 'string', description: 'Region of the key (default: KEYLEDGER_REGION)' };

export const history = (idName: string) => ({
  type: 'object',
  required: [idName, 'events'],
  properties: { [idName]: str, region: str, events: { type: 'array', items: ref('HistoryEvent') } },
});

/** OpenAPI 3.1 description of /v1. Served unsigned at GET /v1/openapi.json. */
