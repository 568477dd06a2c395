import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LedgerCheckpoints } from '@keyledger/read-models';

export const CHECKPOINT_INTERVAL_ENV = 'KEYLEDGER_CHECKPOINT_INTERVAL_MS';
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 3_600_000;
export const CHECKPOINT_INTERVAL = Symbol('LedgerCheckpointIntervalMs');

/** KEYLEDGER_CHECKPOINT_INTERVAL_MS: 0 turns the periodic checkpoint off; otherwise 1 s to 7 days. */
export function checkpointIntervalFrom(env: NodeJS.ProcessEnv): number {
  const raw = env[CHECKPOINT_INTERVAL_ENV];
  if (raw === undefined || raw === '') return DEFAULT_CHECKPOINT_INTERVAL_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || (value !== 0 && (value < 1000 || value > 7 * 86_400_000)))
    throw new Error(`${CHECKPOINT_INTERVAL_ENV} must be 0 (off) or an integer from 1000 to 604800000, got '${raw}'`);
  return value;
}

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
