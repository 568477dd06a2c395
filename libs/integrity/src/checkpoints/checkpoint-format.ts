import { createHmac, sign, timingSafeEqual, verify } from 'node:crypto';
import { canonicalJson } from '@keyledger/ledger';
import type { CheckpointKeys } from './checkpoint-keys.js';

export const CHECKPOINT_STREAM = 'ledger-checkpoints';
export const CHECKPOINT_EVENT_TYPE = 'LedgerCheckpointed';

export interface StreamHead {
  /** bigint as a decimal string */
  revision: string;
  hash: string;
}

/** v1 (older ledgers): every head listed, MAC'd with a root-derived key. Still verified; no longer written. */
export interface CheckpointV1Data {
  time: string;
  /** Global position of the last event covered (decimal string; "0" for an empty ledger). */
  position: string;
  streams: Record<string, StreamHead>;
  /** Integrity hash of the checkpoint event before this one; null for the first. */
  previousCheckpointHash: string | null;
  /** HMAC-SHA256, hex, over canonicalJson of the members above, keyed with the v1 checkpoint key. */
  signature: string;
}

/**
 * What a v2 checkpoint covers, in terms every engine shares: the first
 * `events` events of the log in global order, leaving out the checkpoint
 * stream's own, of which the last has id `lastEventId`. `positionHint` is
 * where that event sat in the store that wrote the checkpoint: a hint, never
 * compared across engines.
 */
export interface CheckpointCoverage {
  events: string;
  lastEventId: string | null;
  positionHint: string;
}

export interface CheckpointV2Body {
  format: 2;
  time: string;
  covered: CheckpointCoverage;
  /** The heads of every covered stream (see MerkleHeads): how many, and their Merkle root (hex). */
  streams: { count: number; merkleRoot: string };
  previousCheckpointHash: string | null;
}

export interface CheckpointSignature {
  algorithm: 'Ed25519';
  /** CheckpointKeys.keyId of the signing key. */
  keyId: string;
  /** base64, over canonicalJson(CheckpointV2Body) */
  value: string;
}

export interface CheckpointV2Data extends CheckpointV2Body {
  signature: CheckpointSignature;
}

export type CheckpointData = CheckpointV1Data | CheckpointV2Data;

const DECIMAL = /^\d+$/;
const HEX64 = /^[0-9a-f]{64}$/;

export function isCheckpointV1(data: unknown): data is CheckpointV1Data {
  const d = data as Partial<CheckpointV1Data> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    !('format' in d) &&
    typeof d.time === 'string' &&
    typeof d.position === 'string' &&
    DECIMAL.test(d.position) &&
    typeof d.streams === 'object' &&
    d.streams !== null &&
    (d.previousCheckpointHash === null || typeof d.previousCheckpointHash === 'string') &&
    typeof d.signature === 'string' &&
    HEX64.test(d.signature)
  );
}

export function isCheckpointV2(data: unknown): data is CheckpointV2Data {
  const d = data as Partial<CheckpointV2Data> | null;
  const c = d?.covered;
  const s = d?.streams;
  const sig = d?.signature;
  return (
    typeof d === 'object' &&
    d !== null &&
    d.format === 2 &&
    typeof d.time === 'string' &&
    typeof c === 'object' &&
    c !== null &&
    typeof c.events === 'string' &&
    DECIMAL.test(c.events) &&
    (c.lastEventId === null || typeof c.lastEventId === 'string') &&
    typeof c.positionHint === 'string' &&
    typeof s === 'object' &&
    s !== null &&
    Number.isSafeInteger(s.count) &&
    typeof s.merkleRoot === 'string' &&
    HEX64.test(s.merkleRoot) &&
    (d.previousCheckpointHash === null || typeof d.previousCheckpointHash === 'string') &&
    typeof sig === 'object' &&
    sig !== null &&
    sig.algorithm === 'Ed25519' &&
    typeof sig.keyId === 'string' &&
    typeof sig.value === 'string'
  );
}

export function isCheckpointData(data: unknown): data is CheckpointData {
  return isCheckpointV2(data) || isCheckpointV1(data);
}

export function signCheckpointV1(body: Omit<CheckpointV1Data, 'signature'>, macKey: Buffer): string {
  const { time, position, streams, previousCheckpointHash } = body;
  return createHmac('sha256', macKey)
    .update(canonicalJson({ time, position, streams, previousCheckpointHash }))
    .digest('hex');
}

export function signCheckpointV2(body: CheckpointV2Body, keys: CheckpointKeys): CheckpointV2Data {
  if (!keys.privateKey) throw new Error('checkpoints are signed only where the root key is');
  const value = sign(null, Buffer.from(canonicalJson(v2Body(body))), keys.privateKey).toString('base64');
  return { ...v2Body(body), signature: { algorithm: 'Ed25519', keyId: keys.keyId, value } };
}

/** Whether this key signed it; 'unverifiable' for a v1 checkpoint checked without the root key. */
export function checkpointSignatureStatus(
  data: CheckpointData,
  keys: CheckpointKeys,
): 'valid' | 'invalid' | 'unverifiable' {
  if (isCheckpointV2(data)) {
    if (data.signature.keyId !== keys.keyId) return 'invalid';
    const ok = verify(
      null,
      Buffer.from(canonicalJson(v2Body(data))),
      keys.publicKey,
      Buffer.from(data.signature.value, 'base64'),
    );
    return ok ? 'valid' : 'invalid';
  }
  if (keys.macKey === undefined) return 'unverifiable';
  const expected = Buffer.from(signCheckpointV1(data, keys.macKey), 'hex');
  const given = Buffer.from(data.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}

function v2Body(body: CheckpointV2Body): CheckpointV2Body {
  const { format, time, covered, streams, previousCheckpointHash } = body;
  return {
    format,
    time,
    covered: { events: covered.events, lastEventId: covered.lastEventId, positionHint: covered.positionHint },
    streams: { count: streams.count, merkleRoot: streams.merkleRoot },
    previousCheckpointHash,
  };
}
