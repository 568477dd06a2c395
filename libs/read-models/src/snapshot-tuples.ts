import type { BackingKey, KeyAggregate } from '@keyledger/ledger';
import type { LastUseEntry } from './last-use-index.js';

/*
 * The projection snapshot's stored forms. Keys and their backing keys are stored as arrays of field values, not as
 * objects: v8.serialize writes every member name of every object, which made
 * most of a 100,000-key snapshot, and objects rebuilt from literals below take
 * less memory than the ones the deserializer grows member by member. The
 * field order is the format; a round-trip spec holds pack and unpack together.
 */
export type BackingKeyTuple = [
  BackingKey['keyMaterialId'],
  BackingKey['origin'],
  BackingKey['hasMaterial'],
  BackingKey['shredKeyId'],
  BackingKey['createdAt'],
  BackingKey['state'],
  BackingKey['rotationDate'],
  BackingKey['rotationType'],
  BackingKey['importState'],
  BackingKey['expirationModel'],
  BackingKey['validTo'],
  BackingKey['description'],
];

export type KeyTuple = [
  KeyAggregate['exists'],
  KeyAggregate['keyId'],
  KeyAggregate['arn'],
  KeyAggregate['origin'],
  KeyAggregate['description'],
  KeyAggregate['createdAt'],
  KeyAggregate['enabled'],
  KeyAggregate['deleted'],
  KeyAggregate['deletedAt'],
  KeyAggregate['deletionDate'],
  KeyAggregate['pendingWindowInDays'],
  KeyAggregate['rotationEnabled'],
  KeyAggregate['rotationPeriodInDays'],
  KeyAggregate['nextRotationDate'],
  KeyAggregate['onDemandRotations'],
  KeyAggregate['lastRotatedAt'],
  KeyAggregate['currentKeyMaterialId'],
  BackingKeyTuple[],
  KeyAggregate['tags'],
  KeyAggregate['importParameters'],
  KeyAggregate['supersededShredKeyIds'],
  KeyAggregate['keySpec'],
  KeyAggregate['keyUsage'],
  KeyAggregate['region'],
  KeyAggregate['multiRegion'],
  KeyAggregate['pendingReplicaDeletion'],
];

/** [keyId, revision, lastHash, key] */
export type KeyEntryTuple = [string, bigint, string | null, KeyTuple];
/** [keyId, revision, createdMs, maxTimeMs, complete] */
export type KeyTimesTuple = [string, bigint, number, number, boolean];

// The deserializer makes a new string for every occurrence of a word: 300,000
// backing keys each carried their own copies of 'AWS_KMS', 'NON_CURRENT', ...
const WORDS = new Map<string, string>(
  [
    'AWS_KMS',
    'EXTERNAL',
    'CURRENT',
    'NON_CURRENT',
    'PENDING_ROTATION',
    'DELETED',
    'EXPIRED',
    'DESTROYED',
    'AUTOMATIC',
    'ON_DEMAND',
    'IMPORTED',
    'PENDING_IMPORT',
    'KEY_MATERIAL_EXPIRES',
    'KEY_MATERIAL_DOES_NOT_EXPIRE',
    '',
  ].map((w) => [w, w]),
);
function word<T extends string | null>(value: T): T {
  return value === null ? value : ((WORDS.get(value) as T | undefined) ?? value);
}

const NONE: readonly string[] = Object.freeze([]);

export function packBackingKey(b: BackingKey): BackingKeyTuple {
  return [
    b.keyMaterialId,
    b.origin,
    b.hasMaterial,
    b.shredKeyId,
    b.createdAt,
    b.state,
    b.rotationDate,
    b.rotationType,
    b.importState,
    b.expirationModel,
    b.validTo,
    b.description,
  ];
}

export function unpackBackingKey(t: BackingKeyTuple): BackingKey {
  return {
    keyMaterialId: t[0],
    origin: word(t[1]),
    hasMaterial: t[2],
    shredKeyId: t[3],
    createdAt: t[4],
    state: word(t[5]),
    rotationDate: t[6],
    rotationType: word(t[7]),
    importState: word(t[8]),
    expirationModel: word(t[9]),
    validTo: t[10],
    description: t[11],
  };
}

export function packKey(k: KeyAggregate): KeyTuple {
  return [
    k.exists,
    k.keyId,
    k.arn,
    k.origin,
    k.description,
    k.createdAt,
    k.enabled,
    k.deleted,
    k.deletedAt,
    k.deletionDate,
    k.pendingWindowInDays,
    k.rotationEnabled,
    k.rotationPeriodInDays,
    k.nextRotationDate,
    k.onDemandRotations,
    k.lastRotatedAt,
    k.currentKeyMaterialId,
    k.backingKeys.map(packBackingKey),
    k.tags,
    k.importParameters,
    k.supersededShredKeyIds,
    k.keySpec,
    k.keyUsage,
    k.region,
    k.multiRegion,
    k.pendingReplicaDeletion,
  ];
}

/**
 * `keyId` is the string the caller already holds for this key, and the current backing key's id is taken from
 * its backing key: the deserializer makes a copy of every occurrence, and at 100,000 keys the copies were 25 MB.
 */
export function unpackKey(t: KeyTuple, keyId = t[1]): KeyAggregate {
  const backingKeys = t[17].map(unpackBackingKey);
  return {
    exists: t[0],
    keyId: t[1] === keyId ? keyId : t[1],
    arn: t[2],
    origin: word(t[3]),
    description: word(t[4]),
    createdAt: t[5],
    enabled: t[6],
    deleted: t[7],
    deletedAt: t[8],
    deletionDate: t[9],
    pendingWindowInDays: t[10],
    rotationEnabled: t[11],
    rotationPeriodInDays: t[12],
    nextRotationDate: t[13],
    onDemandRotations: t[14],
    lastRotatedAt: t[15],
    currentKeyMaterialId: backingKeys.find((b) => b.keyMaterialId === t[16])?.keyMaterialId ?? t[16],
    backingKeys,
    tags: t[18],
    importParameters: t[19],
    supersededShredKeyIds: t[20].length === 0 ? NONE : t[20],
    keySpec: word(t[21]),
    keyUsage: word(t[22]),
    region: word(t[23]),
    multiRegion: t[24],
    pendingReplicaDeletion: t[25],
  };
}

/** [ref, atMs, operation, principal, requestId], or [ref] for a key known never used. */
export type LastUseTuple = [string, number, string, string, string] | [string];

export function packLastUse([ref, use]: LastUseEntry): LastUseTuple {
  return use === null ? [ref] : [ref, use.atMs, use.operation, use.principal, use.requestId];
}

export function unpackLastUse(t: LastUseTuple): LastUseEntry {
  return t.length === 1 ? [t[0], null] : [t[0], { atMs: t[1], operation: t[2], principal: t[3], requestId: t[4] }];
}
