import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import { CHECKPOINT_EVENT_TYPE, CHECKPOINT_STREAM, checkpointSignatureValid, isCheckpointData, type CheckpointData } from './checkpoints.js';
import { fastEventHash } from './fast-hash.js';

export interface BadEvent {
  streamName: string;
  /** bigint as a decimal string */
  revision: string;
  /** Global position where the problem shows: the bad event's, or for events missing from the store the checkpoint's that lists them. */
  position: string;
  problem: string;
}

export interface VerifyResult {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  firstBadEvent?: BadEvent;
  lastCheckpoint?: { position: string; time: string; streams: number };
}

export interface VerifyOptions {
  onProgress?(eventsChecked: number): void;
  /** Events read per page; default 4096. */
  pageSize?: number;
}

interface Head {
  revision: bigint;
  hash: string | null;
}

interface Expected {
  revision: bigint;
  hash: string;
  seen: boolean;
}

/**
 * Reads the whole ledger once, in global order, and checks that
 * - every stream's revisions are dense from 0, each event's integrity hash
 *   recomputes from its content, and each names its predecessor's hash;
 * - every checkpoint is signed with the checkpoint key, and names the
 *   checkpoint before it;
 * - the last checkpoint's heads are all still there, with the hashes it
 *   recorded, and nothing sits before its position that it does not cover:
 *   removing a stream, or the tail of one, that a checkpoint covered is caught.
 *
 * Reports the first problem in global order. What cannot be caught: events
 * appended after the last checkpoint and then removed, and the removal of
 * the latest checkpoints themselves; compare `lastCheckpoint` with a copy kept
 * elsewhere for that.
 */
export async function verifyLedger(store: EventStore, checkpointKey: Buffer, options: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 4096;

  // The checkpoint whose heads are checked, fixed before the scan: later ones written meanwhile only add.
  let target: { event: RecordedEvent; position: bigint; heads: Map<string, Expected> } | undefined;
  try {
    const [last] = await store.readStream(CHECKPOINT_STREAM, { direction: 'backwards', maxCount: 1 });
    // A checkpoint that does not verify is no witness against other events; the scan reports it.
    if (last && checkpointSignatureValid(last.data, checkpointKey)) {
      const data = last.data as unknown as CheckpointData;
      const heads = new Map<string, Expected>();
      for (const [name, head] of Object.entries(data.streams))
        heads.set(name, { revision: BigInt(head.revision), hash: head.hash, seen: false });
      target = { event: last, position: BigInt(data.position), heads };
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }

  const heads = new Map<string, Head>();
  let first: BadEvent | undefined;
  let eventsChecked = 0;
  let previousCheckpoint: { hash: string | null; position: bigint } | undefined;
  let lastCheckpoint: VerifyResult['lastCheckpoint'];

  const bad = (event: RecordedEvent, problem: string) => {
    first ??= { streamName: event.streamName, revision: event.revision.toString(), position: event.position.toString(), problem };
  };

  let after: bigint | 'start' = 'start';
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    for (let i = 0; i < page.length; i++) {
      const event = page[i]!;
      eventsChecked++;
      const stream = event.streamName;
      const head = heads.get(stream);
      const expectedRevision = head === undefined ? 0n : head.revision + 1n;
      const metadata = event.metadata as Record<string, unknown>;
      const integrity = metadata.integrity as { previousHash?: unknown; hash?: unknown } | undefined;
      const hash = integrity && typeof integrity.hash === 'string' ? integrity.hash : null;
      const previousHash = integrity && typeof integrity.previousHash === 'string' ? integrity.previousHash : null;

      if (first === undefined) {
        if (hash === null) bad(event, 'the event has no integrity hash in its metadata');
        else if (event.revision !== expectedRevision)
          bad(
            event,
            event.revision > expectedRevision
              ? `revision ${expectedRevision} is missing from the stream (next found: ${event.revision})`
              : `revision ${event.revision} appears again or out of order (expected ${expectedRevision})`,
          );
        else if (previousHash !== (head === undefined ? null : head.hash))
          bad(event, head === undefined ? 'the first event of the stream names a previous hash' : `previousHash does not match the hash of revision ${head.revision}`);
        else if (fastEventHash(stream, event.revision, event.type, event.data, metadata, previousHash) !== hash)
          bad(event, 'the integrity hash does not match the event content: the event was altered');
      }
      heads.set(stream, { revision: event.revision, hash });

      if (stream === CHECKPOINT_STREAM) {
        const data = event.data;
        let problem: string | undefined;
        if (event.type !== CHECKPOINT_EVENT_TYPE) problem = `unexpected event type ${event.type} in the checkpoint stream`;
        else if (!isCheckpointData(data)) problem = 'the checkpoint is malformed';
        else if (!checkpointSignatureValid(data, checkpointKey)) problem = 'the checkpoint signature does not verify';
        else if (data.previousCheckpointHash !== (previousCheckpoint?.hash ?? null))
          problem = 'the checkpoint does not name the checkpoint before it: the checkpoint chain is broken';
        else if (BigInt(data.position) >= event.position || (previousCheckpoint && BigInt(data.position) < previousCheckpoint.position))
          problem = `the checkpoint covers position ${data.position}, out of order`;
        if (problem) bad(event, problem);
        if (isCheckpointData(data)) {
          const checkpoint = data as CheckpointData;
          previousCheckpoint = { hash, position: BigInt(checkpoint.position) };
          lastCheckpoint = { position: checkpoint.position, time: checkpoint.time, streams: Object.keys(checkpoint.streams).length };
        }
      } else if (target !== undefined) {
        const expected = target.heads.get(stream);
        if (expected === undefined) {
          if (event.position <= target.position)
            bad(event, `the stream is not in the checkpoint at position ${target.event.position}, yet this event precedes it`);
        } else if (event.revision === expected.revision) {
          expected.seen = true;
          if (hash !== expected.hash) bad(event, `the hash differs from the one recorded in the checkpoint at position ${target.event.position}`);
        } else if (event.revision > expected.revision && event.position <= target.position) {
          bad(event, `the checkpoint at position ${target.event.position} records revision ${expected.revision} as the head, yet this event precedes it`);
        }
      }
    }
    if (page.length > 0) {
      after = page[page.length - 1]!.position;
      options.onProgress?.(eventsChecked);
    }
    if (page.length < pageSize) break;
  }

  if (target !== undefined) {
    const checkpointPosition = target.event.position;
    // Missing events show at the checkpoint that lists them; an earlier problem still wins.
    if (first === undefined || BigInt(first.position) > checkpointPosition) {
      for (const [streamName, expected] of target.heads) {
        if (expected.seen) continue;
        const head = heads.get(streamName);
        first = {
          streamName,
          revision: expected.revision.toString(),
          position: checkpointPosition.toString(),
          problem:
            head === undefined
              ? `the stream is missing: the checkpoint at position ${checkpointPosition} records it at revision ${expected.revision}`
              : `revision ${expected.revision}, recorded by the checkpoint at position ${checkpointPosition}, is missing (the stream ends at revision ${head.revision})`,
        };
        break;
      }
    }
  }

  const result: VerifyResult = { ok: first === undefined, eventsChecked, streamsChecked: heads.size };
  if (first) result.firstBadEvent = first;
  if (lastCheckpoint) result.lastCheckpoint = lastCheckpoint;
  return result;
}
