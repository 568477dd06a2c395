import { availableParallelism } from 'node:os';
import { CHECKPOINT_STREAM } from '../checkpoints/checkpoint-format.js';
import type { CheckpointKeys } from '../checkpoints/checkpoint-keys.js';
import { CheckpointStreamCheck } from './checkpoint-stream-check.js';
import { chainedTo } from './hash-check.js';
import type { HashPool } from './hash-pool.js';
import { HashRecompute } from './hash-recompute.js';
import { HeadsJournal } from './heads-journal.js';
import { dataOf, pageReader, type LedgerLog, type ScanEvent } from './scan-event.js';
import { streamChainProblem, type Head } from './stream-chain-check.js';
import { FirstProblem, type CheckpointSummary, type VerifyResult } from './verify-result.js';

export type { BadEvent, CheckpointSummary, VerifyResult } from './verify-result.js';
export type { LedgerLog } from './scan-event.js';

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
  /**
   * A ledger with events must have a checkpoint (the server writes one when it
   * creates a ledger): without one, the checkpoint stream was deleted.
   */
  requireCheckpoint?: boolean;
  /**
   * Checkpoints kept elsewhere that must still be in the ledger, each by its
   * hash (`checkpointHash`) or by the position it covers (`position`).
   */
  expect?: string[];
  /**
   * Starts the hash pool when the ledger proves longer than one page; default: the compiled
   * worker beside this module. A seam for tests that decide the order of its answers.
   */
  startHashPool?: () => HashPool | undefined;
}

/**
 * Reads the whole ledger once, in global order, and checks that
 * - every stream's revisions are dense from 0, each event's integrity hash
 *   recomputes from its content, and each names its predecessor's hash;
 * - every checkpoint is signed with the checkpoint key, names the checkpoint
 *   before it, and signed exactly the stream heads the chain has at what it
 *   covers: removing or rewriting anything a checkpoint covered is caught.
 *
 * Reports the first problem in global order: each problem found carries its
 * place in the scan, and the earliest wins, whenever its answer came (hashes
 * may be recomputed on a worker thread while the next pages are read). What
 * cannot be caught here: events appended after the last checkpoint and then
 * removed, and the removal of the latest checkpoints themselves; `expect`
 * checks that checkpoints kept elsewhere are still there.
 */
export async function verifyLedger(
  store: LedgerLog,
  keys: CheckpointKeys,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 512;
  const heads = new Map<string, Head>();
  const journal = new HeadsJournal();
  const checkpoints = new CheckpointStreamCheck(keys, heads, journal);
  const hashes = new HashRecompute(options.hashThreads ?? (availableParallelism() > 1 ? 1 : 0));
  const first = new FirstProblem();
  const expected = new Set(options.expect ?? []);
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
    if (stream !== CHECKPOINT_STREAM) {
      journal.record(stream, head, event.position, event.id);
      checkpoints.headMoved(stream);
    }
    if (head === undefined) heads.set(stream, { revision: event.revision, hash });
    else {
      head.revision = event.revision;
      head.hash = hash;
    }
    if (stream === CHECKPOINT_STREAM) {
      const problem = checkpoints.check(event.type, event.position, hash, dataOf(event));
      if (problem !== undefined) first.note(event, problem, seq);
      else if (checkpoints.last) forget(expected, checkpoints.last);
    }
  };

  const readPage = pageReader(store, pageSize);
  try {
    let after: bigint | 'start' = 'start';
    for (;;) {
      const page = await readPage(after);
      const seqBefore = eventsChecked;
      hashes.startIfLong(page.length, pageSize, options.startHashPool);
      page.forEach(checkEvent);
      hashes.page(page, seqBefore);
      await hashes.yieldToWorker();
      const last = page.at(-1);
      if (last !== undefined) {
        after = last.position;
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
  if (first.found === undefined) noteMissing(first, options, journal.count, checkpoints.checkpoints, expected);

  const result: VerifyResult = {
    ok: first.found === undefined,
    eventsChecked,
    streamsChecked: heads.size,
    checkpoints: checkpoints.checkpoints,
  };
  if (first.found) result.firstBadEvent = first.found;
  if (checkpoints.unverified > 0) result.checkpointsUnverified = checkpoints.unverified;
  if (checkpoints.last) result.lastCheckpoint = checkpoints.last;
  return result;
}

/** What the scan cannot show at an event: the checkpoint stream deleted, or a checkpoint kept elsewhere gone. */
function noteMissing(
  first: FirstProblem,
  options: VerifyOptions,
  events: number,
  checkpoints: number,
  expected: Set<string>,
): void {
  const at = { streamName: CHECKPOINT_STREAM, revision: '-', position: '-' };
  if (options.requireCheckpoint && events > 0 && checkpoints === 0)
    first.note(at, `the ledger has ${events} events and no checkpoint: the checkpoint stream was deleted`, 0);
  for (const kept of expected) {
    first.note(at, `the expected checkpoint ${kept} is not in the ledger: checkpoints were removed`, 0);
    return;
  }
}

function forget(expected: Set<string>, checkpoint: CheckpointSummary): void {
  if (expected.size === 0) return;
  if (checkpoint.checkpointHash !== null) expected.delete(checkpoint.checkpointHash);
  expected.delete(checkpoint.position);
}
