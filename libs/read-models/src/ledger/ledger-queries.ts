import type { EventStore } from '@keyledger/event-store';
import { AsOfStates } from './as-of-states.js';
import { AuditQuery, type AuditFilter, type AuditPage } from './audit.js';
import { DecryptabilityQuery, type Decryptability, type DecryptabilityItem } from './decryptability.js';
import type { HistoryEvent } from './history.js';
import { keyStateAsOf, type KeyStateAsOf } from './key-state-as-of.js';
import type { LedgerQueryOptions, SharedProjection } from './query-support.js';
import { LedgerReports, type InventoryReport, type RotationComplianceReport } from './reports.js';
import { replicationAsOf, type ReplicationAsOf } from './replication.js';
import { StreamHistory } from './stream-history.js';

export type { LedgerQueryOptions, SharedProjection } from './query-support.js';
export * from './audit.js';
export * from './decryptability.js';
export type { KeyMaterialAsOf, KeyStateAsOf, KeyStateName } from './key-state-as-of.js';
export * from './reports.js';
export type { ReplicaBackingKey, ReplicationAsOf, ReplicationMember } from './replication.js';

/**
 * The ledger's read-side questions, each answered by its own module: a
 * stream's history, a key's state as of a time, decryptability, reports and
 * audit events. Answers come from replaying the ledger, never from decrypting
 * or from trusting a stored state.
 */
export class LedgerQueries {
  private readonly states: AsOfStates;
  private readonly history: StreamHistory;
  private readonly decryptabilityQuery: DecryptabilityQuery;
  private readonly reports: LedgerReports;
  private readonly audit: AuditQuery;

  /**
   * Over `shared`, the server's own cache and time index (see AsOfStates);
   * without it the queries fold their own.
   */
  constructor(
    store: EventStore,
    private readonly options: LedgerQueryOptions,
    shared?: SharedProjection,
  ) {
    this.states = new AsOfStates(store, shared);
    this.history = new StreamHistory(store, options, this.states);
    this.decryptabilityQuery = new DecryptabilityQuery(this.states, options);
    this.reports = new LedgerReports(store, this.states, options.region);
    this.audit = new AuditQuery(store, this.states, options);
  }

  /** Brings the cache and time index up to everything committed before the call. */
  catchUp(): Promise<void> {
    return this.states.catchUp();
  }

  /**
   * Every event of a key's stream, oldest first. `region`, in these queries: the region asked
   * about; absent, a key ARN's own region, else the home region (every ledger written before regions).
   */
  keyHistory(keyId: string, region?: string): Promise<{ keyId: string; region: string; events: HistoryEvent[] }> {
    return this.history.keyHistory(keyId, region);
  }

  aliasHistory(
    aliasName: string,
    region?: string,
  ): Promise<{ aliasName: string; region: string; events: HistoryEvent[] }> {
    return this.history.aliasHistory(aliasName, region);
  }

  keyStateAsOf(keyId: string, asOf: Date, region?: string): Promise<KeyStateAsOf> {
    return keyStateAsOf(this.states, this.options, keyId, asOf, region);
  }

  /** Every member of a multi-Region key as of `asOf`: its role, and which backing keys it held since when. */
  replicationAsOf(keyId: string, asOf: Date): Promise<ReplicationAsOf> {
    return replicationAsOf(this.states, this.options, keyId, asOf);
  }

  /** Could this ciphertext have been decrypted at `asOf`, and if not, why not (see DecryptabilityQuery). */
  decryptability(ciphertextBlob: Buffer, asOf: Date, keyId?: string, region?: string): Promise<Decryptability> {
    return this.decryptabilityQuery.one({ ciphertextBlob, asOf, keyId, region });
  }

  decryptabilityBatch(blobs: Buffer[], asOf: Date): Promise<Decryptability[]> {
    return this.decryptabilityQuery.items(blobs.map((ciphertextBlob) => ({ ciphertextBlob, asOf })));
  }

  /** Like decryptabilityBatch, each blob with its own time (and region). */
  decryptabilityItems(items: DecryptabilityItem[]): Promise<Decryptability[]> {
    return this.decryptabilityQuery.items(items);
  }

  /** Of every region, or of `region` only. */
  inventory(asOf: Date, region?: string): Promise<InventoryReport> {
    return this.reports.inventory(asOf, region);
  }

  rotationCompliance(asOf: Date, maxAgeDays: number, region?: string): Promise<RotationComplianceReport> {
    return this.reports.rotationCompliance(asOf, maxAgeDays, region);
  }

  auditEvents(filter: AuditFilter): Promise<AuditPage> {
    return this.audit.events(filter);
  }
}
