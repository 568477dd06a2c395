import type { EventStore } from '@keyledger/event-store';
import { AsOfStates } from './as-of-states.js';
import { AuditQuery, type AuditFilter, type AuditPage } from './audit.js';
import { DecryptabilityQuery, type Decryptability } from './decryptability.js';
import type { HistoryEvent } from './history.js';
import { keyStateAsOf, type KeyStateAsOf } from './key-state-as-of.js';
import type { LedgerQueryOptions, SharedLedgerView } from './query-support.js';
import { LedgerReports, type InventoryReport, type RotationComplianceReport } from './reports.js';
import { StreamHistory } from './stream-history.js';

export type { LedgerQueryOptions, SharedLedgerView } from './query-support.js';
export * from './audit.js';
export * from './decryptability.js';
export type { KeyMaterialAsOf, KeyStateAsOf, KeyStateName } from './key-state-as-of.js';
export * from './reports.js';

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
   * Over `shared`, the server's own LedgerView (see AsOfStates); without it
   * the queries fold a view of their own.
   */
  constructor(
    store: EventStore,
    private readonly options: LedgerQueryOptions,
    shared?: SharedLedgerView,
  ) {
    this.states = new AsOfStates(store, shared);
    this.history = new StreamHistory(store, options, this.states);
    this.decryptabilityQuery = new DecryptabilityQuery(this.states);
    this.reports = new LedgerReports(this.states);
    this.audit = new AuditQuery(store, this.states, options);
  }

  /** Brings the view up to everything committed before the call. */
  catchUp(): Promise<void> {
    return this.states.catchUp();
  }

  /** Every event of a key's stream, oldest first. */
  keyHistory(keyId: string): Promise<{ keyId: string; events: HistoryEvent[] }> {
    return this.history.keyHistory(keyId);
  }

  aliasHistory(aliasName: string): Promise<{ aliasName: string; events: HistoryEvent[] }> {
    return this.history.aliasHistory(aliasName);
  }

  keyStateAsOf(keyId: string, asOf: Date): Promise<KeyStateAsOf> {
    return keyStateAsOf(this.states, this.options, keyId, asOf);
  }

  /** Could this ciphertext have been decrypted at `asOf`, and if not, why not (see DecryptabilityQuery). */
  decryptability(ciphertextBlob: Buffer, asOf: Date, keyId?: string): Promise<Decryptability> {
    return this.decryptabilityQuery.one(ciphertextBlob, asOf, keyId);
  }

  decryptabilityBatch(blobs: Buffer[], asOf: Date): Promise<Decryptability[]> {
    return this.decryptabilityQuery.items(blobs.map((ciphertextBlob) => ({ ciphertextBlob, asOf })));
  }

  /** Like decryptabilityBatch, each blob with its own time. */
  decryptabilityItems(items: Array<{ ciphertextBlob: Buffer; asOf: Date; keyId?: string }>): Promise<Decryptability[]> {
    return this.decryptabilityQuery.items(items);
  }

  inventory(asOf: Date): Promise<InventoryReport> {
    return this.reports.inventory(asOf);
  }

  rotationCompliance(asOf: Date, maxAgeDays: number): Promise<RotationComplianceReport> {
    return this.reports.rotationCompliance(asOf, maxAgeDays);
  }

  auditEvents(filter: AuditFilter): Promise<AuditPage> {
    return this.audit.events(filter);
  }
}
