import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RepairReport } from '../keys/multi-region-repair.js';
import type { AppendOutcome, StoreObserver } from './bounded-store.js';

/** Latency buckets in seconds: from a cached Encrypt (well under a millisecond) to a store at its time-out. */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label of each kind of multi-Region repair (counts of members changed). */
const REPAIR_LABELS: readonly [keyof RepairReport, string][] = [
  ['replicasRecorded', 'replica_recorded'],
  ['replicasForgotten', 'replica_forgotten'],
  ['replicasDelivered', 'backing_keys_delivered'],
  ['primaryMovesRecorded', 'primary_move_recorded'],
];

/** One answered request, as the access log and the metrics both see it. */
export interface RequestOutcome {
  /** kms, ledger or service: which API the request was for. */
  api: string;
  /** A name from a fixed set: a KMS operation, a route pattern, or 'unknown'. */
  operation: string;
  status: number;
  /** The answer's `__type`, for an error; one the server wrote, so from a fixed set. */
  errorType: string | undefined;
  seconds: number;
}

/** What the metrics read at scrape time, from the parts of the server that know it. */
export interface MetricSources {
  openConnections?(): number;
  /** Milliseconds since the epoch of the last checkpoint this process wrote or saw, or null. */
  lastCheckpointAt?(): number | null;
  checkpointRefusals?(): number;
  ready?(): boolean;
  /** Events committed that the ledger view has not applied, or undefined where the store cannot count them. */
  viewEventsBehind?(): Promise<number | undefined>;
  viewSecondsSinceLastEvent?(): number;
}

/**
 * The server's Prometheus metrics, in a registry of its own (two servers in one
 * process, as the tests run them, do not share counters). Every label value comes
 * from a fixed set (operation names, route patterns, status classes, error types
 * the server writes): no key id, alias, principal or address ever becomes a label,
 * so the number of series is bounded whatever clients send.
 */
export class KeyledgerMetrics implements StoreObserver {
  readonly registry = new Registry();
  private readonly sources: MetricSources = {};
  private readonly requests: Counter<'api' | 'operation' | 'status_class' | 'error_type'>;
  private readonly latency: Histogram<'api' | 'operation' | 'status_class'>;
  private readonly appendLatency: Histogram<'outcome'>;
  private readonly appendedEvents: Counter;
  private readonly refusedConnections: Counter<'reason'>;
  private readonly shedRequests: Counter;
  private readonly schedulerRuns: Counter;
  private readonly schedulerActions: Counter<'action'>;
  private readonly multiRegionRepairs: Counter<'repair'>;

  constructor(now: () => number = Date.now) {
    const registers = [this.registry];
    const sources = this.sources;
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'keyledger_requests_total',
      help: 'Requests answered, by API, operation, status class and error type (empty for a success).',
      labelNames: ['api', 'operation', 'status_class', 'error_type'],
      registers,
    });
    this.latency = new Histogram({
      name: 'keyledger_request_duration_seconds',
      help: 'Time from the first byte of a request to its answer, by API, operation and status class.',
      labelNames: ['api', 'operation', 'status_class'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.appendLatency = new Histogram({
      name: 'keyledger_store_append_duration_seconds',
      help: 'Time the event store took to answer an append, by outcome (ok, conflict, timeout, unavailable, error).',
      labelNames: ['outcome'],
      buckets: APPEND_BUCKETS,
      registers,
    });
    this.appendedEvents = new Counter({
      name: 'keyledger_events_appended_total',
      help: 'Events this server appended to the ledger.',
      registers,
    });
    this.refusedConnections = new Counter({
      name: 'keyledger_connections_refused_total',
      help: 'Connections refused before a byte was read: over the total limit or the per-source limit.',
      labelNames: ['reason'],
      registers,
    });
    this.shedRequests = new Counter({
      name: 'keyledger_requests_shed_total',
      help: 'Requests answered 503 ThrottlingException before they were served: more were waiting for a turn than the in-flight limit.',
      registers,
    });
    new Gauge({
      name: 'keyledger_connections_open',
      help: 'Connections admitted and still open.',
      registers,
      collect() {
        this.set(sources.openConnections?.() ?? 0);
      },
    });
    new Gauge({
      name: 'keyledger_checkpoint_age_seconds',
      help: 'Seconds since the last signed checkpoint this server wrote (-1: none written since start).',
      registers,
      collect() {
        const at = sources.lastCheckpointAt?.() ?? null;
        this.set(at === null ? -1 : Math.max(0, (now() - at) / 1000));
      },
    });
    new Gauge({
      name: 'keyledger_checkpoint_refusals',
      help: 'Times this server refused to sign a checkpoint over a chain that does not extend the last one.',
      registers,
      collect() {
        this.set(sources.checkpointRefusals?.() ?? 0);
      },
    });
    new Gauge({
      name: 'keyledger_ready',
      help: '1 when the last readiness check passed, 0 when it did not (see /readyz for the reason).',
      registers,
      collect() {
        this.set(sources.ready?.() === false ? 0 : 1);
      },
    });
    new Gauge({
      name: 'keyledger_view_events_behind',
      help: 'Events committed to the store that the ledger view has not applied yet (-1: the store cannot count them).',
      registers,
      async collect() {
        this.set((await sources.viewEventsBehind?.()) ?? -1);
      },
    });
    new Gauge({
      name: 'keyledger_view_seconds_since_last_event',
      help: 'Seconds since the ledger view applied its last live event (or caught up, before the first).',
      registers,
      collect() {
        this.set(sources.viewSecondsSinceLastEvent?.() ?? 0);
      },
    });
    this.schedulerRuns = new Counter({
      name: 'keyledger_scheduler_runs_total',
      help: 'Passes of the scheduler over every key.',
      registers,
    });
    this.schedulerActions = new Counter({
      name: 'keyledger_scheduler_actions_total',
      help: 'Changes the scheduler made, by action (rotated, deleted, expired).',
      labelNames: ['action'],
      registers,
    });
    this.multiRegionRepairs = new Counter({
      name: 'keyledger_multi_region_repairs_total',
      help:
        'Multi-Region writes cut short by a crash that the scheduler finished, by what it recorded: ' +
        'replica_recorded (a primary listed its replica), replica_forgotten (a primary learnt of a replica deletion), ' +
        'backing_keys_delivered (a replica got backing keys it lacked), ' +
        'primary_move_recorded (a member recorded an UpdatePrimaryRegion it had missed).',
      labelNames: ['repair'],
      registers,
    });
  }

  /** Wires a source in once the part that knows it exists (the edge server, the checkpoint writer). */
  source(sources: MetricSources): void {
    Object.assign(this.sources, sources);
  }

  request(outcome: RequestOutcome): void {
    const statusClass = `${Math.floor(outcome.status / 100)}xx`;
    this.requests.inc({
      api: outcome.api,
      operation: outcome.operation,
      status_class: statusClass,
      error_type: outcome.errorType ?? '',
    });
    this.latency.observe(
      { api: outcome.api, operation: outcome.operation, status_class: statusClass },
      outcome.seconds,
    );
  }

  appended(seconds: number, outcome: AppendOutcome, events: number): void {
    this.appendLatency.observe({ outcome }, seconds);
    if (events > 0) this.appendedEvents.inc(events);
  }

  connectionRefused(reason: 'total' | 'per_source'): void {
    this.refusedConnections.inc({ reason });
  }

  requestShed(): void {
    this.shedRequests.inc();
  }

  schedulerRan(report: { rotated: number; deleted: number; expired: number; repairs: RepairReport }): void {
    this.schedulerRuns.inc();
    for (const action of ['rotated', 'deleted', 'expired'] as const)
      if (report[action] > 0) this.schedulerActions.inc({ action }, report[action]);
    for (const [field, repair] of REPAIR_LABELS) {
      const count = report.repairs[field];
      if (count > 0) this.multiRegionRepairs.inc({ repair }, count);
    }
  }

  /** The exposition, and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
