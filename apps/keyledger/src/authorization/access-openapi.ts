import { ACCESS_REVIEW_COLUMNS } from './access-replay.js';

/**
 * The OpenAPI description of the access routes under /v1 ("who could use key K at time T, and why"),
 * spread into the ledger API's document (ledger-api/openapi.ts) so the whole API stays one document.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' };
const time = { type: 'string', format: 'date-time' };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const errors = {
  '400': error('ValidationException or SerializationException'),
  '401': error('MissingAuthenticationTokenException'),
  '403': error('AccessDeniedException, InvalidSignatureException, UnrecognizedClientException'),
  '404': error('NotFoundException: the key did not exist at asOf'),
};
const asOf = {
  name: 'asOf',
  in: 'query',
  required: false,
  schema: time,
  description: 'ISO 8601; default: now (server clock). A time without a zone is UTC.',
};
const region = {
  name: 'region',
  in: 'query',
  required: false,
  schema: str,
  description: "The key's region; default: a key ARN's own, else KEYLEDGER_REGION",
};
const statementRef = {
  type: 'object',
  properties: {
    policy: { enum: ['key', 'identity'] },
    sid: { type: ['string', 'null'] },
    index: { type: 'integer', description: 'Position of the statement in its policy, from 0' },
  },
};

export const accessPaths = {
  '/v1/keys/{keyId}/access': {
    get: {
      operationId: 'keyAccess',
      summary:
        'The key policy and grants in force at asOf, and for each principal of the directory at that time the ' +
        'operations it could call, each with the statements (Sid, conditions) or grants (constraints) allowing it',
      parameters: [
        { name: 'keyId', in: 'path', required: true, schema: str, description: 'Key id or key ARN' },
        asOf,
        region,
      ],
      responses: { '200': { description: 'OK', content: json(ref('KeyAccess')) }, ...errors },
    },
  },
  '/v1/access/simulate': {
    post: {
      operationId: 'simulateAccess',
      summary: 'Would this request have been allowed at asOf, and what decided it',
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['principal', 'action', 'keyId'],
          properties: {
            principal: { type: 'string', description: 'A name in the principal directory, or an IAM ARN' },
            action: { type: 'string', description: 'kms:Decrypt, or Decrypt' },
            keyId: { type: 'string', description: 'Key id or key ARN' },
            region: {
              type: 'string',
              description: "The key's region; default: a key ARN's own, else KEYLEDGER_REGION",
            },
            encryptionContext: { type: 'object', additionalProperties: str },
            sourceIp: str,
            asOf: time,
          },
        }),
      },
      responses: { '200': { description: 'OK', content: json(ref('AccessDecision')) }, ...errors },
    },
  },
  '/v1/reports/access-review': {
    get: {
      operationId: 'accessReview',
      summary: 'The periodic access review: every principal × key × operation it could call at asOf, and why',
      parameters: [
        asOf,
        { ...region, description: 'Only the keys of this region; default: every region' },
        {
          name: 'format',
          in: 'query',
          required: false,
          schema: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          description: `csv: RFC 4180, columns ${ACCESS_REVIEW_COLUMNS.join(', ')}`,
        },
      ],
      responses: {
        '200': {
          description: 'OK',
          content: {
            ...json(ref('AccessReview')),
            'text/csv': { schema: { type: 'string', description: ACCESS_REVIEW_COLUMNS.join(',') } },
          },
        },
        ...errors,
      },
    },
  },
};

export const accessSchemas = {
  KeyAccess: {
    type: 'object',
    properties: {
      asOf: time,
      keyArn: str,
      policy: { type: 'string', description: 'The key policy in force, byte for byte' },
      grants: { type: 'array', items: { type: 'object' } },
      principals: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: str,
            principalArn: str,
            operations: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  action: str,
                  decision: {
                    enum: ['ALLOWED', 'CONDITIONAL'],
                    description: 'CONDITIONAL: every way in depends on a condition or grant constraint',
                  },
                  allowedBy: {
                    type: 'array',
                    description: 'Each way in: a key policy statement, one with an identity statement, or a grant',
                    items: { type: 'array', items: { type: 'object' } },
                  },
                  deniedWhen: { type: 'array', items: { type: 'object' } },
                },
              },
            },
          },
        },
      },
    },
  },
  AccessDecision: {
    type: 'object',
    properties: {
      asOf: time,
      decision: { enum: ['ALLOWED', 'EXPLICIT_DENY', 'IMPLICIT_DENY'] },
      action: str,
      resource: str,
      principalArn: str,
      allowingStatements: { type: 'array', items: statementRef },
      allowingGrants: { type: 'array', items: str },
      denyingStatements: { type: 'array', items: statementRef },
      policyType: { enum: ['resource-based', 'identity-based', null] },
    },
  },
  AccessReview: {
    type: 'object',
    properties: {
      asOf: time,
      rows: {
        type: 'array',
        items: { type: 'object', properties: Object.fromEntries(ACCESS_REVIEW_COLUMNS.map((c) => [c, str])) },
      },
    },
  },
};
