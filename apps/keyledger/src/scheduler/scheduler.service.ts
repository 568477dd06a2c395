import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { SCHEDULER_ACTOR, type Clock } from '@keyledger/ledger';
import { LedgerView } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG } from '../infrastructure/tokens.js';
import { ChangeKeyCommand, type KeyChange } from '../keys/key-commands.js';

export interface SweepReport {
  rotated: number;
  deleted: number;
}

/**
 * Does what is due by the clock: automatic rotations and completed deletions.
 * It runs at start-up and then periodically. Every change goes through the same
 * command path with expected revisions, so two servers sweeping one store, or a
 * restart mid-sweep, still record each event once.
 */
@Injectable()
export class Scheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepReport> | undefined;

  constructor(
    private readonly commands: CommandBus,
    private readonly view: LedgerView,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.schedulerIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): Promise<SweepReport> | undefined {
    if (this.timer) clearInterval(this.timer);
    return this.running;
  }

  /** One pass over every key; a pass already under way is joined, not doubled. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepReport> {
    const now = this.clock.now().getTime();
    const report: SweepReport = { rotated: 0, deleted: 0 };
    for (const keyId of [...this.view.keyIds()]) {
      const key = this.view.key(keyId)?.state;
      if (!key || !key.exists || key.deleted) continue;
      if (key.deletionDate !== null && key.deletionDate <= now) {
        if (await this.apply(keyId, { type: 'CompleteKeyDeletionIfDue' })) report.deleted++;
      } else if (key.rotationEnabled && key.nextRotationDate !== null && key.nextRotationDate <= now) {
        if (await this.apply(keyId, { type: 'RotateKeyIfDue' })) report.rotated++;
      }
    }
    if (report.rotated + report.deleted > 0) this.logger.log(`rotated ${report.rotated} keys, deleted ${report.deleted} keys`);
    return report;
  }

  private async apply(keyId: string, change: KeyChange): Promise<boolean> {
    const before = this.view.key(keyId)?.revision;
    try {
      await this.commands.execute(new ChangeKeyCommand(keyId, change, { actor: SCHEDULER_ACTOR, requestId: randomUUID() }));
    } catch (error) {
      this.logger.warn(`scheduled ${change.type} of ${keyId} failed: ${error instanceof Error ? error.name : 'error'}`);
      return false;
    }
    return this.view.key(keyId)?.revision !== before;
  }
}
