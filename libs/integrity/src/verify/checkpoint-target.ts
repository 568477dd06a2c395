import { StreamNotFoundError, type EventStore } from '@keyledger/event-store';
import { CHECKPOINT_STREAM, checkpointSignatureValid, type CheckpointData } from '../checkpoints/ledger-checkpoints.js';
import type { FirstProblem } from './verify-result.js';
import type { Head } from './stream-chain-check.js';

interface Expected {
  revision: bigint;
  hash: string;
  seen: boolean;
}

/**
 * The last checkpoint, whose heads the scan holds every stream to. Fixed
 * before the scan: checkpoints written meanwhile only add. A checkpoint that
 * does not verify is no witness against other events (the scan reports it).
 */
export class CheckpointTarget {
  private constructor(
    /** Global position of the checkpoint event itself. */
    private readonly eventPosition: bigint,
    /** Global position of the last event it covers. */
    private readonly covered: bigint,
    private readonly heads: Map<string, Expected>,
  ) {}

  static async read(store: EventStore, checkpointKey: Buffer): Promise<CheckpointTarget | undefined> {
    try {
      const [last] = await store.readStream(CHECKPOINT_STREAM, { direction: 'backwards', maxCount: 1 });
      if (!last || !checkpointSignatureValid(last.data, checkpointKey)) return undefined;
      const data = last.data as unknown as CheckpointData;
      const heads = new Map<string, Expected>();
      for (const [name, head] of Object.entries(data.streams))
        heads.set(name, { revision: BigInt(head.revision), hash: head.hash, seen: false });
      return new CheckpointTarget(last.position, BigInt(data.position), heads);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
  }

  /** What is wrong with an event of another stream, measured against the checkpoint's heads. */
  problemWith(streamName: string, revision: bigint, position: bigint, hash: string | null): string | undefined {
    const expected = this.heads.get(streamName);
    const at = this.eventPosition;
    if (expected === undefined) {
      if (position <= this.covered)
        return `the stream is not in the checkpoint at position ${at}, yet this event precedes it`;
    } else if (revision === expected.revision) {
      expected.seen = true;
      if (hash !== expected.hash) return `the hash differs from the one recorded in the checkpoint at position ${at}`;
    } else if (revision > expected.revision && position <= this.covered) {
      return `the checkpoint at position ${at} records revision ${expected.revision} as the head, yet this event precedes it`;
    }
    return undefined;
  }

  /**
   * After the scan: a head the checkpoint records and the scan never met is
   * missing. It shows at the checkpoint that lists it; an earlier problem wins.
   */
  reportMissing(first: FirstProblem, heads: Map<string, Head>): void {
    const at = this.eventPosition;
    if (first.found !== undefined && BigInt(first.found.position) <= at) return;
    for (const [streamName, expected] of this.heads) {
      if (expected.seen) continue;
      const head = heads.get(streamName);
      first.found = {
        streamName,
        revision: expected.revision.toString(),
        position: at.toString(),
        problem:
          head === undefined
            ? `the stream is missing: the checkpoint at position ${at} records it at revision ${expected.revision}`
            : `revision ${expected.revision}, recorded by the checkpoint at position ${at}, is missing (the stream ends at revision ${head.revision})`,
      };
      return;
    }
  }
}
