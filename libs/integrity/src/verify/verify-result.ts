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

/** A checkpoint as verify reports it: `checkpointHash` is what to keep elsewhere and pass to `--expect`. */
export interface CheckpointSummary {
  /** The checkpoint event's integrity hash. */
  checkpointHash: string | null;
  format: 1 | 2;
  time: string;
  /** v2: events covered (the checkpoint stream's own left out). */
  events?: string;
  /** Global position of the last covered event in the store that wrote it (v2: a hint). */
  position: string;
  streams: number;
  merkleRoot?: string;
}

export interface VerifyResult {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  firstBadEvent?: BadEvent;
  /** Checkpoints in the ledger, each held to the chain. */
  checkpoints: number;
  /** v1 checkpoints, MAC'd with a root-derived key, met without the root key: not checked. */
  checkpointsUnverified?: number;
  lastCheckpoint?: CheckpointSummary;
}

/**
 * The first problem of the scan and its place in it (1 for the first event
 * read): problems found later in the scan, or answered later by the hash
 * worker, lose to an earlier one.
 */
export class FirstProblem {
  found: BadEvent | undefined;
  seq = 0;

  note(
    event: { streamName: string; revision: bigint | string; position: bigint | string },
    problem: string,
    seq: number,
  ): void {
    if (this.found !== undefined) return;
    this.found = {
      streamName: event.streamName,
      revision: event.revision.toString(),
      position: event.position.toString(),
      problem,
    };
    this.seq = seq;
  }
}
