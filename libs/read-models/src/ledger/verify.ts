import { availableParallelism } from 'node:os';
import {
  StreamNotFoundError,
  type EventStore,
  type RecordedEvent,
  type RecordedEventJson,
} from '@keyledger/event-store';
import {
  CHECKPOINT_EVENT_TYPE,
  CHECKPOINT_STREAM,
  checkpointSignatureValid,
  isCheckpointData,
  type CheckpointData,
} from './checkpoints.js';
import { chainedTo, HASH_JOB_LENGTH, hashMatches, type HashJobs, type HashMismatch } from './hash-check.js';
import { startHashPool, type HashPool } from './hash-pool.js';

export interface BadEvent {
  streamName: string;
  /** bigint as a decimal string */
  revision: string;
  /**
   * Global position where the problem shows: the bad event's, or for events missing from the store the checkpoint's
   * that lists them.
   */
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
  /** Events read per page; default 512 (fewer parsed events alive at once: less for the garbage collector to copy). */
  pageSize?: number;
  /**
   * Worker threads that recompute integrity hashes while this thread reads and
   * checks the order: 0 or 1; default 1 where there is more than one CPU. Only
   * started once a full page has been read (a ledger of more than one page).
   */
  hashThreads?: number;
}

/** Hash batches handed to the worker and not answered yet before this thread hashes a page itself. */
const MAX_BATCHES_IN_FLIGHT = 4;

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
 * What the scan needs of an event: a RecordedEvent from readAll, or built
 * from readAllJson, whose data stays JSON text until something needs it
 * parsed (a checkpoint, or hashing on this thread).
 */
interface ScanEvent {
  streamName: string;
  type: string;
  revision: bigint;
  position: bigint;
  metadata: Record<string, unknown>;
  data?: unknown;
  dataJson?: string;
  metadataJson?: string;
}

function fromJson(event: RecordedEventJson): ScanEvent {
  return {
    streamName: event.streamName,
    type: event.type,
    revision: event.revision,
    position: event.position,
    metadata: JSON.parse(event.metadataJson) as Record<string, unknown>,
    data: undefined,
    dataJson: event.dataJson,
    metadataJson: event.metadataJson,
  };
}

function dataOf(event: ScanEvent): unknown {
  if (event.dataJson !== undefined && event.data === undefined) event.data = JSON.parse(event.dataJson);
  return event.data;
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
 * Reports the first problem in global order. The hashes of a page may be
 * recomputed on a worker thread while the next pages are read (from a store
 * with readAllJson, the worker is handed the stored JSON text): each problem
 * found carries its place in the scan, and the earliest wins, whenever its
 * answer came. What cannot be caught: events
 * appended after the last checkpoint and then removed, and the removal of
 * the latest checkpoints themselves; compare `lastCheckpoint` with a copy kept
 * elsewhere for that.
 */
export async function verifyLedger(
  store: EventStore,
  checkpointKey: Buffer,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 512;
  const hashThreads = options.hashThreads ?? (availableParallelism() > 1 ? 1 : 0);

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
  // The first problem found by the scan, and its place in it (1 for the first event read).
  let first: BadEvent | undefined;
  let firstSeq = 0;
  // The earliest event whose content does not hash to its hash: found on a worker, maybe after `first`.
  let altered: HashMismatch | undefined;
  let eventsChecked = 0;
  let previousCheckpoint: { hash: string | null; position: bigint } | undefined;
  let lastCheckpoint: VerifyResult['lastCheckpoint'];

  const bad = (event: ScanEvent, problem: string) => {
    if (first !== undefined) return;
    first = {
      streamName: event.streamName,
      revision: event.revision.toString(),
      position: event.position.toString(),
      problem,
    };
    firstSeq = eventsChecked;
  };
  const noteAltered = (mismatch: HashMismatch | null) => {
    if (mismatch !== null && (altered === undefined || mismatch.seq < altered.seq)) altered = mismatch;
  };

  let pool: HashPool | undefined;
  let poolStarted = false;
  const inFlight: Promise<void>[] = [];
  // A batch the worker could not check: verify fails with it (handled at once, thrown after the scan).
  let poolFailure: unknown;
  const notePoolFailure = (error: unknown) => {
    poolFailure ??= error;
  };
  // Indexes in the page of the events whose hash is still to be recomputed (their other checks passed).
  const toHash: number[] = [];

  /** Recomputes the hashes of the page's events listed in toHash: on the worker if it keeps up, else here. */
  const hashPage = (page: ScanEvent[], seqBefore: number) => {
    const n = toHash.length;
    // Nothing after an event already known to be altered can be the first problem.
    if (n === 0 || (altered !== undefined && altered.seq < seqBefore + toHash[0]! + 1)) {
      toHash.length = 0;
      return;
    }
    if (pool !== undefined && poolFailure === undefined && pool.pending < MAX_BATCHES_IN_FLIGHT) {
      const jobs: HashJobs = new Array(n * HASH_JOB_LENGTH);
      for (let j = 0, k = 0; j < n; j++, k += HASH_JOB_LENGTH) {
        const i = toHash[j]!;
        const event = page[i]!;
        jobs[k] = seqBefore + i + 1;
        jobs[k + 1] = event.streamName;
        jobs[k + 2] = event.revision.toString();
        jobs[k + 3] = event.position.toString();
        jobs[k + 4] = event.type;
        jobs[k + 5] = event.dataJson ?? JSON.stringify(event.data);
        jobs[k + 6] = event.metadataJson ?? JSON.stringify(event.metadata);
      }
      inFlight.push(pool.check(jobs).then(noteAltered, notePoolFailure));
    } else {
      for (let j = 0; j < n; j++) {
        const i = toHash[j]!;
        const event = page[i]!;
        if (!hashMatches(event.streamName, event.revision, event.type, dataOf(event), event.metadata)) {
          noteAltered({
            seq: seqBefore + i + 1,
            streamName: event.streamName,
            revision: event.revision.toString(),
            position: event.position.toString(),
          });
          break;
        }
      }
    }
    toHash.length = 0;
  };

  // The stored JSON text: parsed here only where needed, handed to the worker as it is.
  const readPage = async (after: bigint | 'start'): Promise<ScanEvent[]> =>
    (await store.readAllJson({ after, maxCount: pageSize })).map(fromJson);

  try {
    let after: bigint | 'start' = 'start';
    for (;;) {
      const page = await readPage(after);
      const seqBefore = eventsChecked;
      if (!poolStarted && hashThreads > 0 && page.length === pageSize) {
        poolStarted = true;
        pool = startHashPool();
      }
      for (let i = 0; i < page.length; i++) {
        const event = page[i]!;
        eventsChecked++;
        const stream = event.streamName;
        const head = heads.get(stream);
        const expectedRevision = head === undefined ? 0n : head.revision + 1n;
        const integrity = event.metadata.integrity as { previousHash?: unknown; hash?: unknown } | undefined;
        const hash = integrity && typeof integrity.hash === 'string' ? integrity.hash : null;
        const previousHash = integrity ? chainedTo(integrity) : null;

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
            bad(
              event,
              head === undefined
                ? 'the first event of the stream names a previous hash'
                : `previousHash does not match the hash of revision ${head.revision}`,
            );
          // Recomputed with the rest of the page (hashPage).
          else toHash.push(i);
        }
        if (head === undefined) heads.set(stream, { revision: event.revision, hash });
        else {
          head.revision = event.revision;
          head.hash = hash;
        }

        if (stream === CHECKPOINT_STREAM) {
          const data = dataOf(event);
          let problem: string | undefined;
          if (event.type !== CHECKPOINT_EVENT_TYPE)
            problem = `unexpected event type ${event.type} in the checkpoint stream`;
          else if (!isCheckpointData(data)) problem = 'the checkpoint is malformed';
          else if (!checkpointSignatureValid(data, checkpointKey)) problem = 'the checkpoint signature does not verify';
          else if (data.previousCheckpointHash !== (previousCheckpoint?.hash ?? null))
            problem = 'the checkpoint does not name the checkpoint before it: the checkpoint chain is broken';
          else if (
            BigInt(data.position) >= event.position ||
            (previousCheckpoint && BigInt(data.position) < previousCheckpoint.position)
          )
            problem = `the checkpoint covers position ${data.position}, out of order`;
          if (problem) bad(event, problem);
          if (isCheckpointData(data)) {
            const checkpoint = data as CheckpointData;
            previousCheckpoint = { hash, position: BigInt(checkpoint.position) };
            lastCheckpoint = {
              position: checkpoint.position,
              time: checkpoint.time,
              streams: Object.keys(checkpoint.streams).length,
            };
          }
        } else if (target !== undefined) {
          const expected = target.heads.get(stream);
          if (expected === undefined) {
            if (event.position <= target.position)
              bad(
                event,
                `the stream is not in the checkpoint at position ${target.event.position}, yet this event precedes it`,
              );
          } else if (event.revision === expected.revision) {
            expected.seen = true;
            if (hash !== expected.hash)
              bad(
                event,
                `the hash differs from the one recorded in the checkpoint at position ${target.event.position}`,
              );
          } else if (event.revision > expected.revision && event.position <= target.position) {
            bad(
              event,
              `the checkpoint at position ${target.event.position} records revision ${expected.revision} as the head, yet this event precedes it`,
            );
          }
        }
      }
      hashPage(page, seqBefore);
      // The pool's answers arrive as messages: let them in (a store may answer without ever yielding).
      if (pool !== undefined) await new Promise<void>((resolve) => setImmediate(resolve));
      if (page.length > 0) {
        after = page[page.length - 1]!.position;
        options.onProgress?.(eventsChecked);
      }
      if (page.length < pageSize) break;
    }
    await Promise.all(inFlight);
    if (poolFailure !== undefined) throw poolFailure;
  } finally {
    await pool?.close();
  }

  // An altered event comes before the scan's first problem, or is the same event:
  // its content is checked before what the checkpoints say of it.
  if (altered !== undefined && (first === undefined || altered.seq <= firstSeq)) {
    first = {
      streamName: altered.streamName,
      revision: altered.revision,
      position: altered.position,
      problem: 'the integrity hash does not match the event content: the event was altered',
    };
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
