import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LedgerCheckpoints } from '@keyledger/integrity';

export const CHECKPOINT_INTERVAL = Symbol('LedgerCheckpointIntervalMs');

/**
 * Writes a signed checkpoint every interval, when anything was appended since
 * the last one: the checkpoints are what make a removed stream or tail
 * detectable, so the gap they leave should be bounded by the interval.
 */
@Injectable()
export class CheckpointWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LedgerCheckpoints');
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> | undefined;

  constructor(
    private readonly checkpoints: LedgerCheckpoints,
    @Inject(CHECKPOINT_INTERVAL) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs === 0) return;
    // unref: a pending checkpoint never keeps the process alive.
    this.timer = setInterval(() => void this.tick(), this.intervalMs).unref();
  }

  /** One periodic round; resolves to whether a checkpoint was written. */
  async tick(): Promise<boolean> {
    if (this.inFlight) return false;
    const run = this.checkpoints.write({ onlyIfChanged: true });
    this.inFlight = run;
    try {
      return (await run).written !== false;
    } catch (error) {
      this.logger.warn(`periodic checkpoint failed: ${error instanceof Error ? error.name : typeof error}`);
      return false;
    } finally {
      this.inFlight = undefined;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    // Let a write in progress finish before the store closes.
    await this.inFlight?.catch(() => undefined);
  }
}
