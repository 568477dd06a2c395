import { availableParallelism } from 'node:os';
import type { EventStore } from '@keyledger/event-store';
import { CHECKPOINT_STREAM } from '../checkpoints/ledger-checkpoints.js';
import { CheckpointStreamCheck } from './checkpoint-stream-check.js';
import { CheckpointTarget } from './checkpoint-target.js';
import { chainedTo } from './hash-check.js';
import { HashRecompute } from './hash-recompute.js';
import { dataOf, pageReader, type ScanEvent } from './scan-event.js';
import { streamChainProblem, type Head } from './stream-chain-check.js';
import { FirstProblem, type VerifyResult } from './verify-result.js';

export type { BadEvent, VerifyResult } from './verify-result.js';

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
 * Reports the first problem in global order: each problem found carries its
 * place in the scan, and the earliest wins, whenever its answer came (hashes
 * may be recomputed on a worker thread while the next pages are read). What
 * cannot be caught: events appended after the last checkpoint and then
 * removed, and the removal of the latest checkpoints themselves; compare
 * `lastCheckpoint` with a copy kept elsewhere for that.
 */
export async function verifyLedger(
  store: EventStore,
  checkpointKey: Buffer,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 512;
  const target = await CheckpointTarget.read(store, checkpointKey);
  const checkpoints = new CheckpointStreamCheck(checkpointKey);
  const hashes = new HashRecompute(options.hashThreads ?? (availableParallelism() > 1 ? 1 : 0));
  const first = new FirstProblem();
  const heads = new Map<string, Head>();
  let eventsChecked = 0;

  const checkEvent = (event: ScanEvent, indexInPage: number): void => {
    const seq = ++eventsChecked;
    const stream = event.streamName;
    const head = heads.get(stream);
    const integrity = event.metadata.integrity as { previousHash?: unknown; hash?: unknown } | undefined;
    const hash = integrity && typeof integrity.hash === 'string' ? integrity.hash : null;
    if (first.found === undefined) {
      const problem = streamChainProblem(event.revision, hash, integrity ? chainedTo(integrity) : null, head);
      if (problem !== undefined) first.note(event, problem, seq);
      else hashes.add(indexInPage);
    }
    if (head === undefined) heads.set(stream, { revision: event.revision, hash });
    else {
      head.revision = event.revision;
      head.hash = hash;
    }
    const problem =
      stream === CHECKPOINT_STREAM
        ? checkpoints.check(event.type, event.position, hash, dataOf(event))
        : target?.problemWith(stream, event.revision, event.position, hash);
    if (problem !== undefined) first.note(event, problem, seq);
  };

  const readPage = pageReader(store, pageSize);
  try {
    let after: bigint | 'start' = 'start';
    for (;;) {
      const page = await readPage(after);
      const seqBefore = eventsChecked;
      hashes.startIfLong(page.length, pageSize);
      for (let i = 0; i < page.length; i++) checkEvent(page[i]!, i);
      hashes.page(page, seqBefore);
      await hashes.yieldToWorker();
      if (page.length > 0) {
        after = page[page.length - 1]!.position;
        options.onProgress?.(eventsChecked);
      }
      if (page.length < pageSize) break;
    }
    await hashes.finish();
  } finally {
    await hashes.close();
  }

  // An altered event comes before the scan's first problem, or is the same event:
  // its content is checked before what the checkpoints say of it.
  const altered = hashes.altered;
  if (altered !== undefined && (first.found === undefined || altered.seq <= first.seq))
    first.found = {
      streamName: altered.streamName,
      revision: altered.revision,
      position: altered.position,
      problem: 'the integrity hash does not match the event content: the event was altered',
    };
  target?.reportMissing(first, heads);

  const result: VerifyResult = { ok: first.found === undefined, eventsChecked, streamsChecked: heads.size };
  if (first.found) result.firstBadEvent = first.found;
  if (checkpoints.last) result.lastCheckpoint = checkpoints.last;
  return result;
}
