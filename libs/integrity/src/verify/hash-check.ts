import { storedEventHash } from '@keyledger/ledger';

/**
 * Events whose integrity hash is to be recomputed away from the scan, as a
 * worker thread receives them: seven entries per event, flat,
 * seq, streamName, revision, position, type, dataJson, metadataJson.
 * `seq` is the event's place in the scan (1 for the first event read), so
 * answers that come back in any order still rank by global order; revision
 * and position are decimal strings. The hash to match and the previous hash
 * to chain to are those in the metadata's `integrity`.
 *
 * Data and metadata travel as JSON text: the text the store keeps, or
 * JSON.stringify of what it gave. They are JSON values (the EventStore port's
 * JsonObject), so JSON.parse gives back the same members, strings and
 * numbers: the same canonical text, and so the same hash.
 */
export type HashJobs = Array<string | number>;
export const HASH_JOB_LENGTH = 7;

/** The first event of a batch whose content does not hash to the hash it carries. */
export interface HashMismatch {
  seq: number;
  streamName: string;
  revision: string;
  position: string;
}

/** The previous hash an event's integrity names: a string, else null (what its hash is recomputed with). */
export function chainedTo(integrity: { previousHash?: unknown }): string | null {
  return typeof integrity.previousHash === 'string' ? integrity.previousHash : null;
}

/**
 * Does the event's content hash to the hash its metadata carries? Only for an event whose `metadata.integrity.hash` is
 * a string.
 */
export function hashMatches(
  streamName: string,
  revision: bigint | string,
  type: string,
  data: unknown,
  metadata: Record<string, unknown>,
): boolean {
  const integrity = metadata.integrity as { previousHash?: unknown; hash: string };
  return storedEventHash(streamName, revision, type, data, metadata, chainedTo(integrity)) === integrity.hash;
}

/** The first mismatch, in the order of the jobs (their scan order), or null. */
export function firstHashMismatch(jobs: HashJobs): HashMismatch | null {
  for (let i = 0; i < jobs.length; i += HASH_JOB_LENGTH) {
    const streamName = jobs[i + 1] as string;
    const revision = jobs[i + 2] as string;
    const data: unknown = JSON.parse(jobs[i + 5] as string);
    const metadata = JSON.parse(jobs[i + 6] as string) as Record<string, unknown>;
    if (!hashMatches(streamName, revision, jobs[i + 4] as string, data, metadata))
      return { seq: jobs[i] as number, streamName, revision, position: jobs[i + 3] as string };
  }
  return null;
}
