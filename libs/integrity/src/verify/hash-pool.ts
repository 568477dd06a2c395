import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HashJobs, HashMismatch } from './hash-check.js';
import type { HashReply, HashRequest } from './hash-worker.js';

/** Recomputes batches of integrity hashes beside the verifier's scan. */
export interface HashPool {
  /** Batches handed over and not answered yet. */
  readonly pending: number;
  /** Resolves with the batch's first mismatch, or null; rejects if the batch could not be checked. */
  check(jobs: HashJobs): Promise<HashMismatch | null>;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./hash-worker.js', import.meta.url);

/**
 * One worker thread, or undefined where there is no compiled worker to start
 * (the TypeScript sources run under a test runner): the caller then hashes on
 * its own thread.
 */
export function startHashPool(workerUrl: URL = WORKER_URL): HashPool | undefined {
  if (workerUrl.protocol !== 'file:' || !existsSync(fileURLToPath(workerUrl))) return undefined;
  return new WorkerHashPool(workerUrl);
}

interface Waiting {
  resolve(mismatch: HashMismatch | null): void;
  reject(error: Error): void;
}

/**
 * The batches are not kept once handed over (that would keep every event in
 * flight alive for the garbage collector to copy): a batch the worker cannot
 * answer, or that it was given when it died, fails the check.
 */
class WorkerHashPool implements HashPool {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(url: URL) {
    // The worker is compiled JavaScript and imports the built libraries; it does not inherit the
    // parent's flags (a test runner's `--conditions source` would point it at TypeScript sources).
    this.worker = new Worker(url, { execArgv: [] });
    this.worker.on('message', (reply: HashReply) => {
      const entry = this.waiting.get(reply.id);
      if (entry === undefined) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) entry.reject(new Error(`verify: a batch of events could not be hashed: ${reply.error}`));
      else entry.resolve(reply.mismatch);
    });
    this.worker.on('error', (error) => this.fail(new Error(`verify: the hash worker failed: ${error.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`verify: the hash worker exited (code ${code})`)));
  }

  get pending(): number {
    return this.waiting.size;
  }

  check(jobs: HashJobs): Promise<HashMismatch | null> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, jobs } satisfies HashRequest);
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const entries = [...this.waiting.values()];
    this.waiting.clear();
    for (const entry of entries) entry.reject(this.failure);
  }

  async close(): Promise<void> {
    this.failure ??= new Error('verify: the hash pool is closed');
    await this.worker.terminate();
  }
}
