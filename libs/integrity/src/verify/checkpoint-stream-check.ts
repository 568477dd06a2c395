import {
  CHECKPOINT_EVENT_TYPE,
  checkpointSignatureValid,
  isCheckpointData,
  type CheckpointData,
} from '../checkpoints/ledger-checkpoints.js';
import type { VerifyResult } from './verify-result.js';

/**
 * The checkpoint stream, event by event: each is a checkpoint, signed with the
 * checkpoint key, names the checkpoint before it and covers a position that
 * does not go back.
 */
export class CheckpointStreamCheck {
  private previous: { hash: string | null; position: bigint } | undefined;
  last: VerifyResult['lastCheckpoint'];

  constructor(private readonly checkpointKey: Buffer) {}

  /** Checks one event of the checkpoint stream; returns its problem, or undefined. */
  check(type: string, position: bigint, hash: string | null, data: unknown): string | undefined {
    let problem: string | undefined;
    if (type !== CHECKPOINT_EVENT_TYPE) problem = `unexpected event type ${type} in the checkpoint stream`;
    else if (!isCheckpointData(data)) problem = 'the checkpoint is malformed';
    else if (!checkpointSignatureValid(data, this.checkpointKey)) problem = 'the checkpoint signature does not verify';
    else if (data.previousCheckpointHash !== (this.previous?.hash ?? null))
      problem = 'the checkpoint does not name the checkpoint before it: the checkpoint chain is broken';
    else if (BigInt(data.position) >= position || (this.previous && BigInt(data.position) < this.previous.position))
      problem = `the checkpoint covers position ${data.position}, out of order`;
    if (isCheckpointData(data)) {
      const checkpoint = data as CheckpointData;
      this.previous = { hash, position: BigInt(checkpoint.position) };
      this.last = {
        position: checkpoint.position,
        time: checkpoint.time,
        streams: Object.keys(checkpoint.streams).length,
      };
    }
    return problem;
  }
}
