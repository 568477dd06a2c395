import { createHmac, type Hmac } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { MAC_LENGTH, macHolds, type SnapshotSeal } from './snapshot-seal.js';
import type { BackingKey, KeyAggregate } from '@keyledger/ledger';
import type { KeyStateCacheContents } from '@keyledger/key-store';
import type { TimeIndexContents } from './time-index.js';
import { NONE, word } from './snapshot-words.js';

// v8: a key's fold carries its region; v9: its multi-Region role; v10: the role's last primary move. An older
// snapshot is ignored and replayed.
const FORMAT = 'keyledger/ledger-view-snapshot/v10';

/** What the projection keeps: the write side's key-state cache and the read side's time index. */
export interface ProjectedContents extends KeyStateCacheContents {
  times: TimeIndexContents;
}

/**
 * Where the projection had got to, and what it held then: its stored checkpoint. Replaying a large ledger
 * takes longer than a server may take to start, so it starts from its snapshot and reads only what came
 * after. The snapshot holds no secret the events do not already hold (material is sealed in both).
 */
export interface ProjectionSnapshot {
  /** Global position of the last event the projection had applied from the subscription. */
  position: bigint;
  /** The id of that event, and the position before it: they prove the store still holds that history. */
  eventId: string;
  previousPosition: bigint | 'start';
  contents: ProjectedContents;
}

/*
 * Keys and their backing keys are stored as arrays of field values, not as
 * objects: v8.serialize writes every member name of every object, which made
 * most of a 100,000-key snapshot, and objects rebuilt from literals below take
 * less memory than the ones the deserializer grows member by member. The
 * field order is the format; a round-trip spec holds pack and unpack together.
 */
type BackingKeyTuple = [
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

type KeyTuple = [
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
type KeyEntryTuple = [string, bigint, string | null, KeyTuple];
/** [keyId, revision, createdMs, maxTimeMs, complete] */
type KeyTimesTuple = [string, bigint, number, number, boolean];

/**
 * The file: a header chunk, then chunks of each section in order, each a u32 (LE) length and a v8.serialize'd value.
 */
interface Header {
  format: typeof FORMAT;
  position: bigint;
  eventId: string;
  previousPosition: bigint | 'start';
  storeIdentity: string;
}

type Chunk =
  | { section: 'keys'; items: KeyEntryTuple[] }
  | { section: 'aliases'; items: ProjectedContents['aliases'] }
  | { section: 'keyOrder'; items: string[] }
  | { section: 'keyTimes'; items: KeyTimesTuple[] }
  | { section: 'aliasTimes'; items: ProjectedContents['times']['aliases'] }
  | { section: 'end' };

/**
 * Entries per chunk: reading holds one chunk's stored form at a time beside the
 * view being rebuilt. Small, so each chunk's buffer (tens of kB) stays below
 * malloc's mmap threshold and is reused: megabyte buffers freed one after
 * another were kept by the allocator and stayed resident after a snapshot.
 */
const CHUNK_ITEMS = 256;

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

function* chunks(contents: ProjectedContents): Generator<Chunk> {
  for (let i = 0; i < contents.keys.length; i += CHUNK_ITEMS)
    yield {
      section: 'keys',
      items: contents.keys
        .slice(i, i + CHUNK_ITEMS)
        .map(([keyId, v]): KeyEntryTuple => [keyId, v.revision, v.lastHash, packKey(v.state)]),
    };
  for (let i = 0; i < contents.aliases.length; i += CHUNK_ITEMS)
    yield { section: 'aliases', items: contents.aliases.slice(i, i + CHUNK_ITEMS) };
  for (let i = 0; i < contents.keyOrder.length; i += CHUNK_ITEMS)
    yield { section: 'keyOrder', items: contents.keyOrder.slice(i, i + CHUNK_ITEMS) };
  const keyTimes = contents.times.keys;
  for (let i = 0; i < keyTimes.length; i += CHUNK_ITEMS)
    yield {
      section: 'keyTimes',
      items: keyTimes
        .slice(i, i + CHUNK_ITEMS)
        .map(([keyId, t]): KeyTimesTuple => [keyId, t.revision, t.createdMs, t.maxTimeMs, t.complete]),
    };
  const aliasTimes = contents.times.aliases;
  for (let i = 0; i < aliasTimes.length; i += CHUNK_ITEMS)
    yield { section: 'aliasTimes', items: aliasTimes.slice(i, i + CHUNK_ITEMS) };
  // A file cut short (a full disk) lacks this and is not taken for a snapshot.
  yield { section: 'end' };
}

function writeChunk(fd: number, mac: Hmac, value: unknown): void {
  const bytes = serialize(value);
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32LE(bytes.length);
  writeSync(fd, length);
  writeSync(fd, bytes);
  mac.update(length).update(bytes);
}

/** The file: the chunks, then an HMAC-SHA256 of every byte before it. */
export function writeProjectionSnapshot(file: string, snapshot: ProjectionSnapshot, seal: SnapshotSeal): void {
  const header: Header = {
    format: FORMAT,
    position: snapshot.position,
    eventId: snapshot.eventId,
    previousPosition: snapshot.previousPosition,
    storeIdentity: seal.storeIdentity,
  };
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    const mac = createHmac('sha256', seal.macKey);
    writeChunk(fd, mac, header);
    for (const chunk of chunks(snapshot.contents)) writeChunk(fd, mac, chunk);
    writeSync(fd, mac.digest());
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, file);
}

/** Reads chunk after chunk from an open file, up to `end`; undefined there. */
function chunkReader(fd: number, end: number): () => unknown {
  const lengthBytes = Buffer.alloc(4);
  // One buffer for every chunk (deserialize copies what it keeps), grown when a chunk is larger.
  let buffer = Buffer.allocUnsafe(256 * 1024);
  let offset = 0;
  return () => {
    if (offset + 4 > end || readSync(fd, lengthBytes, 0, 4, offset) < 4) return undefined;
    const length = lengthBytes.readUInt32LE(0);
    if (offset + 4 + length > end) throw new Error('snapshot chunk cut short');
    if (length > buffer.length) buffer = Buffer.allocUnsafe(length);
    if (readSync(fd, buffer, 0, length, offset + 4) < length) throw new Error('snapshot chunk cut short');
    offset += 4 + length;
    return deserialize(buffer.subarray(0, length));
  };
}

/**
 * The snapshot in `file`, or undefined when there is none or it is not to be
 * trusted (then the view replays from the log). A file that exists but is refused
 * is reported through `ignored`, with why: it is damage or tampering worth a warning.
 * Nothing in the file is deserialized before its MAC has been checked.
 */
export function readProjectionSnapshot(
  file: string,
  seal: SnapshotSeal,
  ignored: (reason: string) => void = () => {},
): ProjectionSnapshot | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (!macHolds(fd, size, seal.macKey)) {
      ignored(
        `${file} fails its MAC check (damaged, edited, cut short, of an older format, or made under another root key)`,
      );
      return undefined;
    }
    const next = chunkReader(fd, size - MAC_LENGTH);
    const header = next() as Header | undefined;
    if (header?.format !== FORMAT || typeof header.position !== 'bigint') {
      ignored(`${file} is not a ${FORMAT} snapshot`);
      return undefined;
    }
    if (header.storeIdentity !== seal.storeIdentity) {
      ignored(`${file} was made from store ${header.storeIdentity}, not from ${seal.storeIdentity}`);
      return undefined;
    }
    const contents: ProjectedContents = { keys: [], aliases: [], keyOrder: [], times: { keys: [], aliases: [] } };
    // One string per key id, shared by the sections that name it (see unpackKey).
    const ids = new Map<string, string>();
    for (;;) {
      const chunk = next() as Chunk | undefined;
      if (chunk === undefined) {
        ignored(`${file} ends before its last section`);
        return undefined;
      }
      switch (chunk.section) {
        case 'keys':
          for (const [keyId, revision, lastHash, key] of chunk.items) {
            ids.set(keyId, keyId);
            contents.keys.push([keyId, { state: unpackKey(key, keyId), revision, lastHash }]);
          }
          break;
        case 'aliases':
          for (const item of chunk.items) contents.aliases.push(item);
          break;
        case 'keyOrder':
          for (const item of chunk.items) contents.keyOrder.push(ids.get(item) ?? item);
          break;
        case 'keyTimes':
          for (const [keyId, revision, createdMs, maxTimeMs, complete] of chunk.items)
            contents.times.keys.push([ids.get(keyId) ?? keyId, { revision, createdMs, maxTimeMs, complete }]);
          break;
        case 'aliasTimes':
          for (const item of chunk.items) contents.times.aliases.push(item);
          break;
        case 'end':
          return {
            position: header.position,
            eventId: header.eventId,
            previousPosition: header.previousPosition,
            contents,
          };
        default:
          ignored(`${file} holds an unknown section`);
          return undefined;
      }
    }
  } catch (error) {
    ignored(`${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export function removeProjectionSnapshot(file: string): void {
  rmSync(file, { force: true });
}
