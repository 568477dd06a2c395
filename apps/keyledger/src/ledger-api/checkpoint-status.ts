import { Injectable } from '@nestjs/common';

/**
 * Whether checkpoints are being signed: the alert the checkpoint writer raises
 * when it refuses to sign over a chain that does not extend the last signed
 * checkpoint. `degraded` is the reason (for readiness), `refusals` counts them
 * (for a metric), and `lastCheckpointHash` is the hash of the last checkpoint
 * written, to ship off the machine.
 */
@Injectable()
export class CheckpointStatus {
  degraded: string | null = null;
  refusals = 0;
  lastCheckpointHash: string | null = null;
  /** When the last checkpoint was written (ms since the epoch), for the checkpoint-age metric. */
  lastCheckpointAt: number | null = null;
}
