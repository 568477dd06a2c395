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
