/** A stream's last event seen by the scan. */
export interface Head {
  revision: bigint;
  hash: string | null;
}

/**
 * What is wrong with an event's place in its stream's chain, or undefined:
 * revisions dense from 0, and each names its predecessor's hash. Its own hash
 * is recomputed apart (see HashRecompute).
 */
export function streamChainProblem(
  revision: bigint,
  hash: string | null,
  previousHash: string | null,
  head: Head | undefined,
): string | undefined {
  const expectedRevision = head === undefined ? 0n : head.revision + 1n;
  if (hash === null) return 'the event has no integrity hash in its metadata';
  if (revision !== expectedRevision)
    return revision > expectedRevision
      ? `revision ${expectedRevision} is missing from the stream (next found: ${revision})`
      : `revision ${revision} appears again or out of order (expected ${expectedRevision})`;
  if (previousHash !== (head === undefined ? null : head.hash))
    return head === undefined
      ? 'the first event of the stream names a previous hash'
      : `previousHash does not match the hash of revision ${head.revision}`;
  return undefined;
}
