import { hashMatches, type HashJobs, type HashMismatch } from './hash-check.js';
import { startHashPool, type HashPool } from './hash-pool.js';
import { dataOf, type ScanEvent } from './scan-event.js';

/** Hash batches handed to the worker and not answered yet before this thread hashes a page itself. */
const MAX_BATCHES_IN_FLIGHT = 4;

/**
 * Recomputes the integrity hashes of the events the scan passed on: on a
 * worker thread while the scan reads on, or on this thread when there is no
 * worker or it falls behind. Remembers the earliest event (by scan place)
 * whose content does not hash to its hash, whenever its answer came.
 */
export class HashRecompute {
  /** The earliest altered event found so far. */
  altered: HashMismatch | undefined;
  private pool: HashPool | undefined;
  private poolStarted = false;
  private readonly inFlight: Promise<void>[] = [];
  /** A batch the worker could not check: verify fails with it (handled at once, thrown by finish). */
  private poolFailure: unknown;
  /** Indexes in the page of the events whose hash is still to be recomputed (their other checks passed). */
  private readonly toHash: number[] = [];

  constructor(private readonly hashThreads: number) {}

  /** Starts the worker once the ledger proves longer than one page. */
  startIfLong(pageLength: number, pageSize: number, start: () => HashPool | undefined = startHashPool): void {
    if (this.poolStarted || this.hashThreads <= 0 || pageLength !== pageSize) return;
    this.poolStarted = true;
    this.pool = start();
  }

  get usesWorker(): boolean {
    return this.pool !== undefined;
  }

  /** The i-th event of the current page is to be hashed with the rest of the page. */
  add(indexInPage: number): void {
    this.toHash.push(indexInPage);
  }

  /** Hashes the listed events of the page: on the worker if it keeps up, else here. */
  page(page: ScanEvent[], seqBefore: number): void {
    const toHash = this.toHash;
    const n = toHash.length;
    // Nothing after an event already known to be altered can be the first problem.
    if (n === 0 || (this.altered !== undefined && this.altered.seq < seqBefore + toHash[0]! + 1)) {
      toHash.length = 0;
      return;
    }
    const pool = this.pool;
    if (pool !== undefined && this.poolFailure === undefined && pool.pending < MAX_BATCHES_IN_FLIGHT) {
      this.inFlight.push(
        pool.check(toJobs(page, toHash, seqBefore)).then(
          (mismatch) => this.note(mismatch),
          (error: unknown) => {
            this.poolFailure ??= error;
          },
        ),
      );
    } else {
      for (const i of toHash) {
        const event = page[i];
        if (
          event !== undefined &&
          !hashMatches(event.streamName, event.revision, event.type, dataOf(event), event.metadata)
        ) {
          this.note({
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
  }

  /** Lets the worker's answers in: a store may answer without ever yielding. */
  async yieldToWorker(): Promise<void> {
    if (this.pool !== undefined) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Waits for every batch; throws if one could not be checked. */
  async finish(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.poolFailure !== undefined) throw this.poolFailure;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private note(mismatch: HashMismatch | null): void {
    if (mismatch !== null && (this.altered === undefined || mismatch.seq < this.altered.seq)) this.altered = mismatch;
  }
}

function toJobs(page: ScanEvent[], toHash: number[], seqBefore: number): HashJobs {
  const jobs: HashJobs = [];
  for (const i of toHash) {
    const event = page[i];
    if (event === undefined) continue;
    jobs.push(
      seqBefore + i + 1,
      event.streamName,
      event.revision.toString(),
      event.position.toString(),
      event.type,
      event.dataJson ?? JSON.stringify(event.data),
      event.metadataJson ?? JSON.stringify(event.metadata),
    );
  }
  return jobs;
}
