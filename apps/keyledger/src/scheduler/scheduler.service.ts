import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { ShredVault } from '@keyledger/crypto';
import {
  deadShredKeyIds,
  dueWork,
  multiRegionKeyTypeOf,
  replicaLacksBackingKeys,
  SCHEDULER_ACTOR,
  type Clock,
  type KeyAggregate,
} from '@keyledger/ledger';
import { KeyStateCache } from '@keyledger/key-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, SHRED_VAULT } from '../infrastructure/tokens.js';
import { ChangeKeyCommand, type KeyChange } from '../keys/key-commands.js';
import {
  MultiRegionRepair,
  NOTHING_REPAIRED,
  repairedAnything,
  type RepairReport,
} from '../keys/multi-region-repair.js';
import { placeOf, refIn } from '../regions/request-region.js';
import { KeyledgerMetrics } from '../observability/metrics.js';

/** How many key ids a scheduler line names before it says how many more. */
const NAMED_KEYS = 20;
const named = (keyIds: string[]): string =>
  keyIds.length <= NAMED_KEYS
    ? keyIds.join(', ')
    : `${keyIds.slice(0, NAMED_KEYS).join(', ')} and ${keyIds.length - NAMED_KEYS} more`;

export interface SweepReport {
  rotated: number;
  deleted: number;
  expired: number;
  /** Multi-Region keys whose interrupted cross-region write was finished. */
  repaired: number;
  /** What those repairs recorded, by kind. */
  repairs: RepairReport;
}

/**
 * A multi-Region write the cache shows cut short: around a primary (`ref`), whose replicas are short of
 * something or unlisted; or a primary move some members missed (`ref`: a member that names as its primary
 * a member that is not one).
 */
type CutShort = { kind: 'around-primary'; ref: string; unlisted: string[] } | { kind: 'primary-move'; ref: string };

/**
 * Does what is due by the clock: automatic rotations, completed deletions and
 * imported material reaching its ValidTo.
 * It runs at start-up, then periodically, and when a key's next due instant
 * comes before the next periodic pass (SchedulerWakeup arms it from the
 * ledger's events). Every change goes through the same
 * command path with expected revisions, so two servers sweeping one store, or a
 * restart mid-sweep, still record each event once.
 */
@Injectable()
export class Scheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private timer: NodeJS.Timeout | undefined;
  private wakeup: { at: number; timer: NodeJS.Timeout } | undefined;
  private running: Promise<SweepReport> | undefined;

  constructor(
    private readonly commands: CommandBus,
    private readonly cache: KeyStateCache,
    @Inject(SHRED_VAULT) private readonly vault: ShredVault,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    private readonly metrics: KeyledgerMetrics,
    private readonly multiRegion: MultiRegionRepair,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.schedulerIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): Promise<SweepReport> | undefined {
    if (this.timer) clearInterval(this.timer);
    if (this.wakeup) clearTimeout(this.wakeup.timer);
    this.wakeup = undefined;
    return this.running;
  }

  /** The instant (ms, by the server's clock) of the armed wake-up, if one is armed. */
  get nextWakeup(): number | undefined {
    return this.wakeup?.at;
  }

  /**
   * Sweeps at `at` (ms since the epoch, by the server's clock), or now if that
   * has passed, unless an earlier wake-up is armed. A pass under way when it
   * fires may have gone past the key already, so the wake-up sweeps after it.
   */
  wakeAt(at: number): void {
    if (this.wakeup && this.wakeup.at <= at) return;
    if (this.wakeup) clearTimeout(this.wakeup.timer);
    const delay = Math.max(0, at - this.clock.now().getTime());
    const timer = setTimeout(() => {
      this.wakeup = undefined;
      void (this.running ?? Promise.resolve()).then(() => this.sweep());
    }, delay).unref();
    this.wakeup = { at, timer };
  }

  /** One pass over every key; a pass already under way is joined, not doubled. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepReport> {
    const now = this.clock.now().getTime();
    const acted = {
      rotated: [] as string[],
      deleted: [] as string[],
      expired: [] as string[],
      repaired: [] as string[],
    };
    const repairs: RepairReport = { ...NOTHING_REPAIRED };
    for (const ref of [...this.cache.keyIds()]) {
      const key = this.cache.key(ref)?.state;
      if (!key || !key.exists) continue;
      await this.destroyOrphans(ref, key);
      const due = dueWork(key, now);
      if (due.completeDeletion && (await this.apply(ref, { type: 'CompleteKeyDeletionIfDue' })))
        acted.deleted.push(ref);
      const expiring = due.expiringMaterial.length + due.expiringImportParameters.length;
      if (expiring > 0 && (await this.apply(ref, { type: 'ExpireKeyMaterialIfDue' }))) acted.expired.push(ref);
      if (due.rotate && (await this.apply(ref, { type: 'RotateKeyIfDue' }))) acted.rotated.push(ref);
      const cut = this.cutShort(ref, key);
      if (cut && (await this.repair(cut, repairs))) acted.repaired.push(placeOf(this.config, cut.ref).id);
    }
    // A key is repaired once however many of its members pointed at it.
    const repaired = [...new Set(acted.repaired)];
    const report: SweepReport = {
      rotated: acted.rotated.length,
      deleted: acted.deleted.length,
      expired: acted.expired.length,
      repaired: repaired.length,
      repairs,
    };
    this.metrics.schedulerRan(report);
    // The keys by id, so that an operator can follow each one in its history.
    if (report.rotated > 0) this.logger.log(`rotated ${report.rotated} keys: ${named(acted.rotated)}`);
    if (report.deleted > 0) this.logger.log(`deleted ${report.deleted} keys: ${named(acted.deleted)}`);
    if (report.expired > 0) this.logger.log(`expired material of ${report.expired} keys: ${named(acted.expired)}`);
    if (report.repaired > 0)
      this.logger.warn(`finished interrupted multi-Region writes of ${report.repaired} keys: ${named(repaired)}`);
    return report;
  }

  /**
   * A dead shred key still in the vault still opens what the events sealed under it:
   * left by a crash between an event and its destruction, or by a re-import recorded
   * before superseded shred keys were destroyed. Destroyed through the ledger, so the
   * history says when. Only dead ids are looked up, once per pass.
   */
  private async destroyOrphans(ref: string, key: KeyAggregate): Promise<void> {
    const lingering = deadShredKeyIds(key).filter((id) => this.vault.has(id));
    if (lingering.length === 0) return;
    if (await this.apply(ref, { type: 'DestroyOrphanShredKeys', shredKeyIds: lingering }))
      this.logger.warn(`destroyed ${lingering.length} orphaned shred keys of ${key.keyId}`);
  }

  /**
   * Whether a multi-Region write looks cut short, as the write-side cache has the members: a primary's replica
   * lacks a backing key, or was deleted while the primary still lists it; a live replica is not listed by its
   * primary; or a replica names as its primary a member that is not one (a move some members missed). Answers
   * where to start the repair, which reads the store, so a pass over a ledger with nothing to finish reads
   * nothing more.
   */
  private cutShort(ref: string, key: KeyAggregate): CutShort | undefined {
    if (key.deleted) return undefined;
    const role = multiRegionKeyTypeOf(key);
    if (role === 'PRIMARY') {
      const short = key.multiRegion!.replicaRegions.some((region) => {
        const replica = this.cache.key(refIn(this.config, region, key.keyId))?.state;
        return replica === undefined || replica.deleted || replicaLacksBackingKeys(key, replica);
      });
      return short ? { kind: 'around-primary', ref, unlisted: [] } : undefined;
    }
    if (role !== 'REPLICA') return undefined;
    const primaryRef = refIn(this.config, key.multiRegion!.primaryRegion, key.keyId);
    const primary = this.cache.key(primaryRef)?.state;
    if (!primary) return undefined;
    if (primary.deleted || multiRegionKeyTypeOf(primary) !== 'PRIMARY') return { kind: 'primary-move', ref };
    return primary.multiRegion!.replicaRegions.includes(key.region)
      ? undefined
      : { kind: 'around-primary', ref: primaryRef, unlisted: [key.region] };
  }

  /** Runs one repair, adding what it recorded to `repairs`; whether it recorded anything. */
  private async repair(cut: CutShort, repairs: RepairReport): Promise<boolean> {
    const { region, id: keyId } = placeOf(this.config, cut.ref);
    try {
      const context = { actor: SCHEDULER_ACTOR, requestId: randomUUID(), region };
      const done =
        cut.kind === 'primary-move'
          ? await this.multiRegion.finishPrimaryMove(cut.ref, context)
          : await this.multiRegion.repair(cut.ref, context, cut.unlisted);
      for (const kind of Object.keys(repairs) as (keyof RepairReport)[]) repairs[kind] += done[kind];
      return repairedAnything(done);
    } catch (error) {
      this.logger.warn(`multi-Region repair of ${keyId} failed: ${error instanceof Error ? error.name : 'error'}`);
      return false;
    }
  }

  /** `ref`: the key's ledger id; the change is made as a request in the key's region would make it. */
  private async apply(ref: string, change: KeyChange): Promise<boolean> {
    const { region, id: keyId } = placeOf(this.config, ref);
    try {
      const outcome = await this.commands.execute(
        new ChangeKeyCommand(keyId, change, { actor: SCHEDULER_ACTOR, requestId: randomUUID(), region }),
      );
      // Another server may have done it first: then this one recorded nothing.
      return outcome.events.length > 0;
    } catch (error) {
      this.logger.warn(`scheduled ${change.type} of ${keyId} failed: ${error instanceof Error ? error.name : 'error'}`);
      return false;
    }
  }
}
