import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CheckpointRefusedError, LedgerCheckpoints, type CheckpointWritten } from '@keyledger/integrity';
import { CheckpointStatus } from './checkpoint-status.js';

export const CHECKPOINT_INTERVAL = Symbol('LedgerCheckpointIntervalMs');

/**
 * Writes the genesis checkpoint of a new ledger, then a signed checkpoint
 * within one interval of any event appended after the last one: the
 * checkpoints are what make a removed or rewritten event detectable, so the
 * gap they leave should be bounded by the interval. The round is armed by the
 * ledger's own events (CheckpointOnAppend), so an idle ledger costs nothing.
 * A refusal to sign (the chain does not extend the last checkpoint) is an
 * alert: logged at error, counted, and readiness degraded until a checkpoint
 * is written again.
 */
@Injectable()
export class CheckpointWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LedgerCheckpoints');
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> | undefined;
  private lastFailed = false;
  private stopped = false;

  constructor(
    private readonly checkpoints: LedgerCheckpoints,
    private readonly status: CheckpointStatus,
    @Inject(CHECKPOINT_INTERVAL) private readonly intervalMs: number,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Before the server serves: a new ledger's first event is its genesis checkpoint.
    const genesis = await this.checkpoints.writeGenesis();
    if (genesis) this.written(genesis);
    // Events appended before this start (a server stopped before its round) are covered too.
    this.arm();
  }

  /** Whether a round is armed. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** Arms one round, an interval from now, unless one is armed already (or checkpoints are off). */
  arm(): void {
    if (this.intervalMs === 0 || this.timer || this.stopped) return;
    // unref: a pending checkpoint never keeps the process alive.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick().then((written) => {
        // A store hiccup: try again next interval; written or refused, the next event arms it.
        if (!written && !this.status.degraded && this.lastFailed) this.arm();
      });
    }, this.intervalMs).unref();
  }

  /** One round; resolves to whether a checkpoint was written. */
  async tick(): Promise<boolean> {
    if (this.inFlight) return false;
    const run = this.checkpoints.write({ onlyIfChanged: true });
    this.inFlight = run;
    this.lastFailed = false;
    try {
      const result = await run;
      if (result.written === false) return false;
      this.written(result);
      return true;
    } catch (error) {
      this.lastFailed = true;
      this.failed(error);
      return false;
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Records a checkpoint written by anyone in this process (the periodic round or an admin's request). */
  written(result: CheckpointWritten): void {
    this.status.degraded = null;
    this.status.lastCheckpointHash = result.checkpointHash ?? null;
    this.status.lastCheckpointAt = Date.now();
    // The line to ship off the machine: with it, `keyledger verify --expect` proves the checkpoint is still there.
    this.logger.log(
      `checkpoint written: checkpointHash=${result.checkpointHash} events=${result.events} ` +
        `streams=${result.streams} merkleRoot=${result.merkleRoot}`,
    );
  }

  /** Raises the alert for a refusal; other failures (a store hiccup) are retried at the next round. */
  failed(error: unknown): void {
    if (error instanceof CheckpointRefusedError) {
      this.status.degraded = error.reason;
      this.status.refusals++;
      this.logger.error(`${error.message}. Run \`keyledger verify\` to find the damage.`);
      return;
    }
    this.logger.warn(`periodic checkpoint failed: ${error instanceof Error ? error.name : typeof error}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Let a write in progress finish before the store closes.
    await this.inFlight?.catch(() => undefined);
  }
}
