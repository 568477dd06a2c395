import { Inject, Injectable } from '@nestjs/common';
import { statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '@keyledger/event-store';
import type { Clock } from '@keyledger/ledger';
import { LedgerProjection } from '@keyledger/read-models';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG, EVENT_STORE } from '../infrastructure/tokens.js';
import { CheckpointStatus } from '../ledger-api/checkpoint-status.js';
import { StoreHealth, storageErrorCode } from './store-health.js';

/** Below this much free space an append, a vault write or a view snapshot can fail: not ready. */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;
/** Readiness is probed often by load balancers, and by anyone: one evaluation serves every probe for this long. */
const CACHE_MS = 1_000;
const PROBE_FILE = '.keyledger-readiness-probe';

export interface Check {
  ok: boolean;
  reason?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { store: Check; dataDir: Check; view: Check; checkpoints: Check };
}

const failed = (reason: string): Check => ({ ok: false, reason });
const OK: Check = { ok: true };

/**
 * Whether this server can do its work now, for `/readyz`: the store answers a read and
 * took its last append, the data directory (vault, view snapshot, embedded ledger) can be
 * written and has room, and the view still follows the store. Until the view has caught up
 * at start, the startup gate (http/startup-gate.ts) answers /readyz instead. A refused
 * checkpoint is reported but does not take the server out of service: keys still work,
 * and every instance of a cluster would refuse alike (README, Operations).
 */
@Injectable()
export class Readiness {
  private cached: { at: number; report: Promise<ReadinessReport> } | undefined;
  private lastReady = true;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
    private readonly health: StoreHealth,
    private readonly projection: LedgerProjection,
    private readonly checkpoints: CheckpointStatus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The outcome of the last evaluation (for the keyledger_ready metric). */
  get ready(): boolean {
    return this.lastReady;
  }

  check(): Promise<ReadinessReport> {
    const now = this.clock.now().getTime();
    if (!this.cached || now - this.cached.at >= CACHE_MS) this.cached = { at: now, report: this.evaluate() };
    return this.cached.report;
  }

  private async evaluate(): Promise<ReadinessReport> {
    const checks = {
      store: await this.storeCheck(),
      dataDir: this.dataDirCheck(),
      view: this.viewCheck(),
      checkpoints: this.checkpoints.degraded
        ? failed(`refusing to sign checkpoints: ${this.checkpoints.degraded}`)
        : OK,
    };
    const ready = checks.store.ok && checks.dataDir.ok && checks.view.ok;
    this.lastReady = ready;
    return { ready, checks };
  }

  private async storeCheck(): Promise<Check> {
    const deadlineMs = Math.min(this.config.observability.storeTimeoutMs, 2_000);
    try {
      await this.store.checkConnection(deadlineMs);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
      return failed(`the event store is unreachable: ${reason}`);
    }
    const lastWrite = this.health.lastWriteFailure;
    return lastWrite ? failed(lastWrite) : OK;
  }

  /** A real write (create, write, remove a small file): a read-only or full file system fails it. */
  private dataDirCheck(): Check {
    const dir = this.config.dataDir;
    const probe = join(dir, PROBE_FILE);
    try {
      writeFileSync(probe, 'ready\n', { mode: 0o600 });
      unlinkSync(probe);
    } catch (error) {
      return failed(`the data directory ${dir} cannot be written (${storageErrorCode(error)})`);
    }
    try {
      const fs = statfsSync(dir);
      const free = fs.bavail * fs.bsize;
      if (free < MIN_FREE_BYTES)
        return failed(`the data directory ${dir} has ${free} bytes free, under ${MIN_FREE_BYTES}: the disk is full`);
    } catch (error) {
      return failed(`the data directory ${dir} cannot be examined (${storageErrorCode(error)})`);
    }
    return OK;
  }

  private viewCheck(): Check {
    const failure = this.projection.subscriptionFailure;
    return failure ? failed(`the ledger view stopped following the store (${failure.name}); restart the server`) : OK;
  }
}
