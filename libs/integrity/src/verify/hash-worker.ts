// Worker thread of the verifier's hash pool: recomputes the integrity hashes of
// a batch of events (see hash-check.ts) and answers with the first mismatch.
import { parentPort } from 'node:worker_threads';
import { firstHashMismatch, type HashJobs } from './hash-check.js';

export interface HashRequest {
  id: number;
  jobs: HashJobs;
}

export type HashReply = { id: number; mismatch: ReturnType<typeof firstHashMismatch> } | { id: number; error: string };

const port = parentPort;
if (port) {
  port.on('message', ({ id, jobs }: HashRequest) => {
    let reply: HashReply;
    try {
      reply = { id, mismatch: firstHashMismatch(jobs) };
    } catch (error) {
      reply = { id, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}
