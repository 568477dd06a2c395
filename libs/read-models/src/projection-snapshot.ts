import { createHmac, type Hmac } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { MAC_LENGTH, macHolds, type SnapshotSeal } from './snapshot-seal.js';
import type { KeyStateCacheContents } from '@keyledger/key-store';
import type { LastUseContents } from './last-use-index.js';
import {
  packKey,
  packLastUse,
  unpackKey,
  unpackLastUse,
  type KeyEntryTuple,
  type KeyTimesTuple,
  type LastUseTuple,
} from './snapshot-tuples.js';
import type { TimeIndexContents } from './time-index.js';

export { packBackingKey, packKey, unpackBackingKey, unpackKey } from './snapshot-tuples.js';

// v8: a key's fold carries its region; v9: its multi-Region role; v10: the role's last primary move; v11: each
// key's last use. An older snapshot is ignored and replayed.
const FORMAT = 'keyledger/ledger-view-snapshot/v11';

/** What the projection keeps: the write side's key-state cache, the read side's time index and last uses. */
export interface ProjectedContents extends KeyStateCacheContents {
  times: TimeIndexContents;
  lastUses: LastUseContents;
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
  /** How far the log had been passed (usage included): the last uses are exact up to there. */
  passedPosition: bigint;
  contents: ProjectedContents;
}

/**
 * The file: a header chunk, then chunks of each section in order, each a u32 (LE) length and a v8.serialize'd value.
 */
interface Header {
  format: typeof FORMAT;
  position: bigint;
  eventId: string;
  previousPosition: bigint | 'start';
  passedPosition: bigint;
  lastUsesWhole: boolean;
  storeIdentity: string;
}

type Chunk =
  | { section: 'keys'; items: KeyEntryTuple[] }
  | { section: 'aliases'; items: ProjectedContents['aliases'] }
  | { section: 'keyOrder'; items: string[] }
  | { section: 'keyTimes'; items: KeyTimesTuple[] }
  | { section: 'aliasTimes'; items: ProjectedContents['times']['aliases'] }
  | { section: 'lastUses'; items: LastUseTuple[] }
  | { section: 'end' };

/**
 * Entries per chunk: reading holds one chunk's stored form at a time beside the
 * view being rebuilt. Small, so each chunk's buffer (tens of kB) stays below
 * malloc's mmap threshold and is reused: megabyte buffers freed one after
 * another were kept by the allocator and stayed resident after a snapshot.
 */
const CHUNK_ITEMS = 256;

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
  const lastUses = contents.lastUses.keys;
  for (let i = 0; i < lastUses.length; i += CHUNK_ITEMS)
    yield { section: 'lastUses', items: lastUses.slice(i, i + CHUNK_ITEMS).map(packLastUse) };
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
    passedPosition: snapshot.passedPosition,
    lastUsesWhole: snapshot.contents.lastUses.whole,
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
    const contents: ProjectedContents = {
      keys: [],
      aliases: [],
      keyOrder: [],
      times: { keys: [], aliases: [] },
      lastUses: { whole: header.lastUsesWhole, keys: [] },
    };
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
        case 'lastUses':
          for (const item of chunk.items) contents.lastUses.keys.push(unpackLastUse(item));
          break;
        case 'end':
          return {
            position: header.position,
            eventId: header.eventId,
            previousPosition: header.previousPosition,
            passedPosition: header.passedPosition,
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
