import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { ShredVault } from '@keyledger/crypto';
import { dueWork, SCHEDULER_ACTOR, type Clock, type KeyAggregate } from '@keyledger/ledger';
import { LedgerView } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { BackingKeys } from '../cryptography/backing-keys.js';
import { CLOCK, CONFIG, SHRED_VAULT } from '../infrastructure/tokens.js';
import { ChangeKeyCommand, type KeyChange } from '../keys/key-commands.js';

export interface SweepReport {
  rotated: number;
  deleted: number;
  expired: number;
}

/**
 * Does what is due by the clock: automatic rotations, completed deletions and
 * imported material reaching its ValidTo.
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
    private readonly backingKeys: BackingKeys,
    @Inject(SHRED_VAULT) private readonly vault: ShredVault,
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
    const report: SweepReport = { rotated: 0, deleted: 0, expired: 0 };
    for (const keyId of [...this.view.keyIds()]) {
      const key = this.view.key(keyId)?.state;
      if (!key || !key.exists) continue;
      this.finishDestruction(key);
      const due = dueWork(key, now);
      if (due.completeDeletion && (await this.apply(keyId, { type: 'CompleteKeyDeletionIfDue' }))) report.deleted++;
      if (due.expiringMaterial.length > 0 && (await this.apply(keyId, { type: 'ExpireKeyMaterialIfDue' })))
        report.expired++;
      if (due.rotate && (await this.apply(keyId, { type: 'RotateKeyIfDue' }))) report.rotated++;
    }
    if (report.rotated + report.deleted + report.expired > 0)
      this.logger.log(
        `rotated ${report.rotated} keys, deleted ${report.deleted} keys, expired material of ${report.expired} keys`,
      );
    return report;
  }

  /**
   * Events are appended before shred keys are destroyed; if the process died in
   * between, the ledger says destroyed while the vault still holds the key. This
   * makes the vault agree with the ledger.
   */
  private finishDestruction(key: KeyAggregate): void {
    const ids = key.backingKeys.filter((b) => !b.hasMaterial).map((b) => b.shredKeyId);
    if (key.deleted) for (const p of key.importParameters) ids.push(p.shredKeyId);
    const lingering = ids.filter((id) => this.vault.has(id));
    if (lingering.length > 0) this.backingKeys.destroy(key.keyId, lingering);
  }

  private async apply(keyId: string, change: KeyChange): Promise<boolean> {
    try {
      const outcome = await this.commands.execute(
        new ChangeKeyCommand(keyId, change, { actor: SCHEDULER_ACTOR, requestId: randomUUID() }),
      );
      // Another server may have done it first: then this one recorded nothing.
      return outcome.events.length > 0;
    } catch (error) {
      this.logger.warn(`scheduled ${change.type} of ${keyId} failed: ${error instanceof Error ? error.name : 'error'}`);
      return false;
    }
  }
}
