import { ref, str, nullableStr, time, nullableTime, int, nullableInt, bool } from './openapi-parts.js';

/** The schemas of the ledger API's own answers (the access and usage features bring theirs). */
export const ledgerSchemas = {
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
      region: str,
      asOf: time,
      keyState: {
        enum: ['Enabled', 'Disabled', 'PendingDeletion', 'PendingReplicaDeletion', 'PendingImport', 'Deleted'],
      },
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
      region: str,
      asOf: time,
      keyState: nullableStr,
    },
  },
  ReplicationAsOf: {
    type: 'object',
    properties: {
      keyId: str,
      asOf: time,
      primaryRegion: str,
      members: {
        type: 'array',
        description: 'Every member that existed by asOf (deleted ones too), the primary first',
        items: {
          type: 'object',
          properties: {
            region: str,
            arn: str,
            multiRegionKeyType: { enum: ['PRIMARY', 'REPLICA'] },
            keyState: str,
            createdAt: time,
            deletedAt: nullableTime,
            backingKeys: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  keyMaterialId: str,
                  heldSince: { ...time, description: 'Generated (primary) or arrived (replica)' },
                  state: str,
                  current: bool,
                  hasMaterial: bool,
                },
              },
            },
          },
        },
      },
    },
  },
  InventoryReport: {
    type: 'object',
    properties: {
      asOf: time,
      usageTrackingStartedAt: {
        ...nullableTime,
        description: 'When usage recording began (null: never); a key with no last use may have been used before it',
      },
      keys: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            keyId: str,
            arn: str,
            region: str,
            primaryRegion: { ...nullableStr, description: "A multi-Region key's primary region; null otherwise" },
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
            lastUsedAt: {
              ...nullableTime,
              description: 'The last successful use at or before asOf, from the usage ledger (to the minute)',
            },
            lastOperation: { ...nullableStr, description: 'The operation of that last use' },
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
            region: str,
            primaryRegion: { ...nullableStr, description: "A multi-Region key's primary region; null otherwise" },
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
  VerifyProgressLine: {
    description: 'One line of a streamed verify: exactly one of progress, result or error',
    type: 'object',
    properties: {
      progress: {
        type: 'object',
        properties: {
          eventsChecked: int,
          eventsTotal: { ...nullableInt, description: 'Events in the ledger when verify began; null if unknown' },
        },
      },
      result: ref('VerifyResult'),
      error: ref('Error'),
    },
  },
};
