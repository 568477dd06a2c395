import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import { InvalidCiphertextError, parseCiphertext, type ParsedCiphertext } from '@keyledger/crypto';
import {
  aliasStreamName,
  decryptRefusal,
  isRsaKeySpec,
  DomainError,
  findBackingKey,
  initialKeyState,
  keyStateOf,
  keyStreamName,
  type BackingKey,
  type Clock,
  type KeyAggregate,
} from '@keyledger/ledger';
import { eventTimeMs, toAuditEvent, toHistoryEvent, type AuditEvent, type HistoryEvent } from './history.js';
import { LedgerView } from '../ledger-view.js';
import { applyKeyEvent, KeyTimeline } from './key-timeline.js';
import { rsaDecryptability } from './rsa-decryptability.js';

export interface LedgerQueryOptions {
  region: string;
  accountId: string;
  clock: Clock;
}

/**
 * A LedgerView kept by someone else (the server's projection) and the log
 * position its feed has reached: the queries read only what lies beyond it.
 */
export interface SharedLedgerView {
  view: LedgerView;
  position(): bigint | 'start';
}

export type KeyStateName = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Deleted';

export interface KeyMaterialAsOf {
  keyMaterialId: string;
  state: 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION' | 'DELETED' | 'EXPIRED' | 'DESTROYED';
  origin: string;
  createdAt: string;
  importState: 'IMPORTED' | 'PENDING_IMPORT' | null;
  validTo: string | null;
}

export interface KeyStateAsOf {
  keyId: string;
  arn: string;
  asOf: string;
  keyState: KeyStateName;
  enabled: boolean;
  origin: string;
  description: string;
  rotationEnabled: boolean;
  rotationPeriodInDays: number | null;
  nextRotationDate: string | null;
  deletionDate: string | null;
  currentKeyMaterialId: string | null;
  keyMaterials: KeyMaterialAsOf[];
  aliases: string[];
  /** Added: when the key was created and, once deleted, when. */
  createdAt: string;
  deletedAt: string | null;
  tags: Array<{ TagKey: string; TagValue: string }>;
}

export type DecryptabilityReason =
  | 'DECRYPTABLE'
  | 'KEY_NOT_CREATED'
  | 'KEY_MATERIAL_NOT_CREATED'
  | 'KEY_DISABLED'
  | 'KEY_PENDING_DELETION'
  | 'KEY_DELETED'
  | 'KEY_MATERIAL_NOT_IMPORTED'
  | 'INVALID_CIPHERTEXT';

export interface Decryptability {
  decryptable: boolean;
  reason: DecryptabilityReason;
  keyId: string | null;
  keyMaterialId: string | null;
  asOf: string;
  keyState: string | null;
}

export interface InventoryKey {
  keyId: string;
  arn: string;
  aliases: string[];
  description: string;
  origin: string;
  keyState: KeyStateName;
  createdAt: string;
  rotationEnabled: boolean;
  rotationPeriodInDays: number | null;
  lastRotatedAt: string | null;
  nextRotationDate: string | null;
  keyMaterialCount: number;
  currentKeyMaterialAgeDays: number | null;
  deletionDate: string | null;
  validTo: string | null;
  keySpec: string;
  keyUsage: string;
}

export interface InventoryReport {
  asOf: string;
  keys: InventoryKey[];
}

export type RotationComplianceReason =
  | 'ROTATED_WITHIN_PERIOD'
  | 'OVERDUE'
  | 'ROTATION_DISABLED'
  | 'IMPORTED_MATERIAL'
  | 'MATERIAL_EXPIRING'
  | 'PENDING_DELETION'
  | 'DISABLED'
  | 'NOT_APPLICABLE';

export interface RotationComplianceKey {
  keyId: string;
  compliant: boolean;
  reason: RotationComplianceReason;
  currentKeyMaterialAgeDays: number | null;
  lastRotatedAt: string | null;
}

export interface RotationComplianceReport {
  asOf: string;
  maxAgeDays: number;
  summary: { total: number; compliant: number; nonCompliant: number; byReason: Record<string, number> };
  keys: RotationComplianceKey[];
}

export interface AuditFilter {
  from?: Date;
  to?: Date;
  keyId?: string;
  actor?: string;
  /** One event type, or several separated by commas. */
  type?: string;
  limit?: number;
  cursor?: string;
}

export interface AuditPage {
  events: AuditEvent[];
  /**
   * Pass back as `cursor` for more; null once the log is exhausted. A page may be short (even empty) with a cursor: the
   * scan per call is bounded.
   */
  nextCursor: string | null;
}

export const MAX_DECRYPTABILITY_BATCH = 1000;
export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;
/** Events one audit call reads at most before it returns a (possibly short) page with a cursor. */
export const AUDIT_SCAN_BUDGET = 250_000;

const DAY_MS = 86_400_000;
/** Timelines are kept for as-of queries up to this many events in all, least recently used dropped first. */
const TIMELINE_CACHE_EVENTS = 250_000;
/** Beyond this many keys to replay for a past time, one pass over the log beats a read per stream. */
const REPLAY_PER_STREAM_LIMIT = 512;
const AUDIT_PAGE = 4096;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Questions about the past, answered by replaying the ledger, never by
 * decrypting or by trusting a stored state. Times are domain times (each
 * event's `metadata.time`, from the one Clock): the state "as of T" is the fold
 * of a stream's events up to (excluding) the first one after T.
 */
export class LedgerQueries {
  private readonly view: LedgerView;
  private readonly timelines = new Map<string, KeyTimeline>();
  private timelineEvents = 0;
  private readPosition: bigint | 'start' = 'start';
  private reading: Promise<void> = Promise.resolve();

  /**
   * Over `shared`, the server's own LedgerView: a key unchanged since T is
   * answered from its current fold, and there is no second read model to
   * build. Without it (the CLI on a data directory), the queries fold their
   * own view, and the first question reads the whole log once.
   */
  constructor(
    private readonly store: EventStore,
    private readonly options: LedgerQueryOptions,
    private readonly shared?: SharedLedgerView,
  ) {
    this.view = shared?.view ?? new LedgerView();
  }

  /**
   * Brings the view up to everything committed before the call, whatever
   * process wrote it: one indexed read when nothing is new. Applying an event
   * the feed also delivers changes nothing (the view checks revisions).
   * Concurrent callers queue, so each sees what preceded its call.
   */
  catchUp(): Promise<void> {
    const next = this.reading.then(() => this.readNew());
    // A failed read must not poison later ones; the caller still sees this failure.
    this.reading = next.catch(() => undefined);
    return next;
  }

  private async readNew(): Promise<void> {
    const fed = this.shared?.position() ?? 'start';
    let after = later(this.readPosition, fed);
    for (;;) {
      const page = await this.store.readAll({ after, maxCount: AUDIT_PAGE });
      for (const event of page) this.view.applyRecorded(event);
      if (page.length > 0) after = page[page.length - 1]!.position;
      if (page.length < AUDIT_PAGE) break;
    }
    this.readPosition = after;
  }

  /** Every event of a key's stream, oldest first. */
  async keyHistory(keyId: string): Promise<{ keyId: string; events: HistoryEvent[] }> {
    const id = this.keyIdOf(keyId);
    try {
      const events = await this.store.readStream(keyStreamName(id));
      return { keyId: id, events: events.map(toHistoryEvent) };
    } catch (error) {
      if (error instanceof StreamNotFoundError) throw this.keyNotFound(id);
      throw error;
    }
  }

  async aliasHistory(aliasName: string): Promise<{ aliasName: string; events: HistoryEvent[] }> {
    if (aliasName === '') throw new DomainError('Validation', 'aliasName must not be empty');
    try {
      const events = await this.store.readStream(aliasStreamName(aliasName));
      return { aliasName, events: events.map(toHistoryEvent) };
    } catch (error) {
      if (error instanceof StreamNotFoundError)
        throw new DomainError(
          'NotFound',
          `Alias arn:aws:kms:${this.options.region}:${this.options.accountId}:${aliasName} is not found.`,
        );
      throw error;
    }
  }

  async keyStateAsOf(keyId: string, asOf: Date): Promise<KeyStateAsOf> {
    const id = this.keyIdOf(keyId);
    const at = timeOf(asOf);
    await this.catchUp();
    const state = await this.stateAt(id, at);
    if (!state) throw new DomainError('NotFound', `Key '${this.arn(id)}' did not exist at ${asOf.toISOString()}`);
    return this.describe(state, this.view.times.aliasesOf(id, at), at);
  }

  /**
   * Could this ciphertext have been decrypted at `asOf`, and if not, why not.
   * Replayed from the key's events; nothing is decrypted, so the answer says
   * nothing about the integrity of the ciphertext beyond its header.
   *
   * Precedence, from the most fundamental cause: INVALID_CIPHERTEXT (header
   * does not parse), KEY_NOT_CREATED, KEY_DELETED (permanent), then
   * KEY_MATERIAL_NOT_CREATED (the key never had the named backing key by then:
   * the ciphertext cannot have been made by it), KEY_PENDING_DELETION,
   * KEY_MATERIAL_NOT_IMPORTED (that imported material was deleted or expired,
   * or the key was pending import), KEY_DISABLED. Pending deletion, pending
   * import, disabled is the order in which Decrypt itself refuses.
   */
  async decryptability(ciphertextBlob: Buffer, asOf: Date, keyId?: string): Promise<Decryptability> {
    await this.catchUp();
    return this.decide(ciphertextBlob, asOf, keyId);
  }

  async decryptabilityBatch(blobs: Buffer[], asOf: Date): Promise<Decryptability[]> {
    return this.decryptabilityItems(blobs.map((ciphertextBlob) => ({ ciphertextBlob, asOf })));
  }

  /** Like decryptabilityBatch, each blob with its own time. */
  async decryptabilityItems(
    items: Array<{ ciphertextBlob: Buffer; asOf: Date; keyId?: string }>,
  ): Promise<Decryptability[]> {
    if (items.length > MAX_DECRYPTABILITY_BATCH)
      throw new DomainError(
        'Validation',
        `At most ${MAX_DECRYPTABILITY_BATCH} ciphertexts per batch, got ${items.length}`,
      );
    await this.catchUp();
    const results: Decryptability[] = [];
    for (const item of items) results.push(await this.decide(item.ciphertextBlob, item.asOf, item.keyId));
    return results;
  }

  /** Every key that existed at `asOf` (deleted ones too, as Deleted), in creation order. */
  async inventory(asOf: Date): Promise<InventoryReport> {
    const at = timeOf(asOf);
    const states = await this.statesAt(at);
    const aliases = this.view.times.aliasesByKey(at);
    const keys: InventoryKey[] = [];
    for (const state of states) {
      const current = currentBacking(state);
      keys.push({
        keyId: state.keyId,
        arn: state.arn,
        aliases: aliases.get(state.keyId) ?? [],
        description: state.description,
        origin: state.origin,
        keyState: keyStateName(state),
        createdAt: new Date(state.createdAt).toISOString(),
        rotationEnabled: state.rotationEnabled,
        rotationPeriodInDays: state.rotationPeriodInDays,
        lastRotatedAt: iso(state.lastRotatedAt),
        nextRotationDate: iso(state.nextRotationDate),
        keyMaterialCount: state.backingKeys.length,
        currentKeyMaterialAgeDays: current ? round2((at - becameCurrentAt(current)) / DAY_MS) : null,
        deletionDate: iso(state.deletionDate),
        validTo: current ? iso(current.validTo) : null,
        keySpec: state.keySpec,
        keyUsage: state.keyUsage,
      });
    }
    return { asOf: asOf.toISOString(), keys };
  }

  /**
   * Whether each key's current backing key is at most `maxAgeDays` old at
   * `asOf` (age counted from when it became current). Keys deleted by then are
   * left out. Reasons, first match wins:
   * - NOT_APPLICABLE: a key AWS does not rotate (every spec but SYMMETRIC_DEFAULT): compliant — exempt;
   * - PENDING_DELETION, DISABLED (also pending import): compliant — exempt, the key cannot encrypt;
   * - ROTATED_WITHIN_PERIOD: compliant;
   * - older than maxAgeDays: MATERIAL_EXPIRING when it is imported material
   *   with a ValidTo (it ends by itself), IMPORTED_MATERIAL for other imported
   *   material (only a new import can rotate it), OVERDUE when automatic
   *   rotation is on (its period is longer than the policy, or it has not run),
   *   ROTATION_DISABLED otherwise. All non-compliant.
   */
  async rotationCompliance(asOf: Date, maxAgeDays: number): Promise<RotationComplianceReport> {
    if (!Number.isFinite(maxAgeDays) || maxAgeDays <= 0 || maxAgeDays > 36_500)
      throw new DomainError('Validation', 'maxAgeDays must be a number of days from 1 to 36500');
    const at = timeOf(asOf);
    const states = await this.statesAt(at);
    const keys: RotationComplianceKey[] = [];
    const byReason: Record<string, number> = {};
    let compliantCount = 0;
    for (const state of states) {
      if (state.deleted) continue;
      const current = currentBacking(state);
      const ageMs = current ? at - becameCurrentAt(current) : null;
      const keyState = keyStateOf(state);
      let reason: RotationComplianceReason;
      // AWS rotates symmetric encryption keys only: for the others rotation is not applicable (exempt).
      if (state.keySpec !== 'SYMMETRIC_DEFAULT') reason = 'NOT_APPLICABLE';
      else if (keyState === 'PendingDeletion') reason = 'PENDING_DELETION';
      else if (keyState === 'Disabled' || keyState === 'PendingImport' || !current) reason = 'DISABLED';
      else if (ageMs! <= maxAgeDays * DAY_MS) reason = 'ROTATED_WITHIN_PERIOD';
      else if (current.origin === 'EXTERNAL')
        reason = current.validTo !== null ? 'MATERIAL_EXPIRING' : 'IMPORTED_MATERIAL';
      else reason = state.rotationEnabled ? 'OVERDUE' : 'ROTATION_DISABLED';
      const compliant =
        reason === 'ROTATED_WITHIN_PERIOD' ||
        reason === 'PENDING_DELETION' ||
        reason === 'DISABLED' ||
        reason === 'NOT_APPLICABLE';
      if (compliant) compliantCount++;
      byReason[reason] = (byReason[reason] ?? 0) + 1;
      keys.push({
        keyId: state.keyId,
        compliant,
        reason,
        currentKeyMaterialAgeDays: ageMs === null ? null : round2(ageMs / DAY_MS),
        lastRotatedAt: iso(state.lastRotatedAt),
      });
    }
    return {
      asOf: asOf.toISOString(),
      maxAgeDays,
      summary: { total: keys.length, compliant: compliantCount, nonCompliant: keys.length - compliantCount, byReason },
      keys,
    };
  }

  /**
   * Events of every stream in log order, filtered. `from`/`to` (inclusive)
   * compare domain times; `keyId` selects the key's own events and the alias
   * events that pointed at it or away from it; `actor` matches the principal
   * ARN, its user name or the access key id; `type` is one type or a comma list.
   */
  async auditEvents(filter: AuditFilter): Promise<AuditPage> {
    const limit = filter.limit ?? DEFAULT_AUDIT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT)
      throw new DomainError('Validation', `limit must be an integer from 1 to ${MAX_AUDIT_LIMIT}`);
    const after = parseCursor(filter.cursor);
    const matches = auditMatcher(filter);
    if (filter.keyId !== undefined) return this.auditOfKey(this.keyIdOf(filter.keyId), after, limit, matches);

    const events: AuditEvent[] = [];
    let position: bigint | 'start' = after;
    let scanned = 0;
    for (;;) {
      const page = await this.store.readAll({ after: position, maxCount: AUDIT_PAGE });
      for (const event of page) {
        position = event.position;
        scanned++;
        if (!matches(event)) continue;
        events.push(toAuditEvent(event));
        if (events.length === limit) return { events, nextCursor: event.position.toString() };
      }
      if (page.length < AUDIT_PAGE) return { events, nextCursor: null };
      if (scanned >= AUDIT_SCAN_BUDGET)
        return { events, nextCursor: position === 'start' ? null : position.toString() };
    }
  }

  // -------------------------------------------------------------------------

  private async auditOfKey(
    keyId: string,
    after: bigint | 'start',
    limit: number,
    matches: (event: RecordedEvent) => boolean,
  ): Promise<AuditPage> {
    await this.catchUp();
    const streams = [keyStreamName(keyId), ...this.view.times.aliasNamesEver(keyId).map(aliasStreamName)];
    const all: RecordedEvent[] = [];
    for (const stream of streams) {
      try {
        for (const event of await this.store.readStream(stream)) {
          if (after !== 'start' && event.position <= after) continue;
          if (stream !== streams[0] && !aliasEventConcerns(event, keyId)) continue;
          if (matches(event)) all.push(event);
        }
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
    }
    all.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    const page = all.slice(0, limit);
    return {
      events: page.map(toAuditEvent),
      nextCursor: all.length > limit ? page[page.length - 1]!.position.toString() : null,
    };
  }

  private decide(ciphertextBlob: Buffer, asOf: Date, namedKeyId?: string): Promise<Decryptability> | Decryptability {
    const at = timeOf(asOf);
    const asOfIso = asOf.toISOString();
    // An RSA ciphertext does not name its key: with a keyId, the key's state at asOf answers (see rsaDecryptability).
    if (namedKeyId !== undefined) {
      const arnResource = namedKeyId.lastIndexOf('key/');
      const keyId = arnResource < 0 ? namedKeyId : namedKeyId.slice(arnResource + 4);
      const known = this.fromView(keyId, at);
      if (known !== undefined && known !== null && isRsaKeySpec(known.keySpec))
        return rsaDecryptability(known, ciphertextBlob, asOfIso);
      if (known === undefined)
        return this.stateAt(keyId, at).then((key) =>
          key && isRsaKeySpec(key.keySpec)
            ? rsaDecryptability(key, ciphertextBlob, asOfIso)
            : this.decide(ciphertextBlob, asOf),
        );
    }
    let parsed: ParsedCiphertext;
    try {
      parsed = parseCiphertext(ciphertextBlob);
    } catch (error) {
      if (error instanceof InvalidCiphertextError)
        return {
          decryptable: false,
          reason: 'INVALID_CIPHERTEXT',
          keyId: null,
          keyMaterialId: null,
          asOf: asOfIso,
          keyState: null,
        };
      throw error;
    }
    const { keyId, keyMaterialId } = parsed;
    const answer = (reason: DecryptabilityReason, keyState: string | null): Decryptability => ({
      decryptable: reason === 'DECRYPTABLE',
      reason,
      keyId,
      keyMaterialId,
      asOf: asOfIso,
      keyState,
    });
    const finish = (key: KeyAggregate | undefined): Decryptability => {
      const keyState = !key || !key.exists ? null : key.deleted ? 'Deleted' : keyStateOf(key);
      return answer(decryptRefusal(key, keyMaterialId) ?? 'DECRYPTABLE', keyState);
    };
    // The common case (asking about now) needs no await: a batch of 1000 stays synchronous.
    const known = this.fromView(keyId, at);
    if (known !== undefined) return finish(known ?? undefined);
    return this.stateAt(keyId, at).then(finish);
  }

  /**
   * The key as of `at` when the view can tell without a replay: its current
   * fold if nothing happened to it after `at`, null if it did not exist by
   * then; undefined when only a replay can tell.
   */
  private fromView(keyId: string, at: number): KeyAggregate | null | undefined {
    const times = this.view.times.key(keyId);
    // The view has read the whole log: a key it never saw does not exist.
    if (!times) return null;
    if (!times.complete) return undefined;
    if (times.createdMs > at) return null;
    if (at < times.maxTimeMs) return undefined;
    const entry = this.view.key(keyId);
    return entry && entry.revision === times.revision ? entry.state : undefined;
  }

  /** The key as of `at`, or undefined when it had not been created by then. */
  private async stateAt(keyId: string, at: number): Promise<KeyAggregate | undefined> {
    const known = this.fromView(keyId, at);
    if (known !== undefined) return known ?? undefined;
    const timeline = await this.timeline(keyId);
    const { state } = timeline.stateAt(at);
    return state.exists ? state : undefined;
  }

  private async timeline(keyId: string): Promise<KeyTimeline> {
    let timeline = this.timelines.get(keyId);
    if (timeline) {
      this.timelines.delete(keyId); // re-inserted below: most recently used last
      this.timelineEvents -= timeline.length;
    }
    const knownRevision = this.view.times.key(keyId)?.revision ?? -1n;
    if (!timeline || timeline.revision < knownRevision) {
      timeline ??= new KeyTimeline();
      const stream = keyStreamName(keyId);
      const fresh = await this.readStreamOrNone(stream, timeline.revision + 1n);
      if (!timeline.append(fresh)) {
        timeline = new KeyTimeline();
        timeline.append(await this.readStreamOrNone(stream, 0n));
      }
    }
    this.timelines.set(keyId, timeline);
    this.timelineEvents += timeline.length;
    for (const [oldest, old] of this.timelines) {
      if (this.timelineEvents <= TIMELINE_CACHE_EVENTS || oldest === keyId) break;
      this.timelines.delete(oldest);
      this.timelineEvents -= old.length;
    }
    return timeline;
  }

  private async readStreamOrNone(stream: string, fromRevision: bigint): Promise<RecordedEvent[]> {
    try {
      return await this.store.readStream(stream, { fromRevision });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  /** Every key that existed at `at`, in creation order, folded as of `at`. */
  private async statesAt(at: number): Promise<KeyAggregate[]> {
    await this.catchUp();
    const keyIds = this.view.keyIds();
    // Per key, in creation order: its state, null (did not exist), or undefined (replay it).
    const found: Array<KeyAggregate | null | undefined> = new Array(keyIds.length);
    const replay: string[] = [];
    for (let i = 0; i < keyIds.length; i++) {
      found[i] = this.fromView(keyIds[i]!, at);
      if (found[i] === undefined) replay.push(keyIds[i]!);
    }
    const past = new Map<string, KeyAggregate>();
    if (replay.length > REPLAY_PER_STREAM_LIMIT) {
      for (const [keyId, state] of await this.foldAllAt(new Set(replay), at)) past.set(keyId, state);
    } else {
      for (const keyId of replay) {
        const state = await this.stateAt(keyId, at);
        if (state) past.set(keyId, state);
      }
    }
    const states: KeyAggregate[] = [];
    for (let i = 0; i < keyIds.length; i++) {
      const state = found[i] === undefined ? past.get(keyIds[i]!) : found[i];
      if (state && state.exists) states.push(state);
    }
    return states;
  }

  /** One pass over the log, folding the given keys' streams up to their first event after `at`. */
  private async foldAllAt(keyIds: Set<string>, at: number): Promise<Map<string, KeyAggregate>> {
    const states = new Map<string, KeyAggregate>();
    const stopped = new Set<string>();
    let after: bigint | 'start' = 'start';
    for (;;) {
      const page = await this.store.readAll({ after, maxCount: AUDIT_PAGE });
      for (const event of page) {
        const name = event.streamName;
        if (!name.startsWith('key-')) continue;
        const keyId = name.slice(4);
        if (!keyIds.has(keyId) || stopped.has(keyId)) continue;
        if (eventTimeMs(event) > at) {
          stopped.add(keyId);
          continue;
        }
        states.set(keyId, applyKeyEvent(states.get(keyId) ?? initialKeyState(), event));
      }
      if (page.length < AUDIT_PAGE) return states;
      after = page[page.length - 1]!.position;
    }
  }

  private describe(state: KeyAggregate, aliases: string[], at: number): KeyStateAsOf {
    return {
      keyId: state.keyId,
      arn: state.arn,
      asOf: new Date(at).toISOString(),
      keyState: keyStateName(state),
      enabled: state.enabled,
      origin: state.origin,
      description: state.description,
      rotationEnabled: state.rotationEnabled,
      rotationPeriodInDays: state.rotationPeriodInDays,
      nextRotationDate: iso(state.nextRotationDate),
      deletionDate: iso(state.deletionDate),
      currentKeyMaterialId: state.currentKeyMaterialId,
      keyMaterials: state.backingKeys.map(materialAsOf),
      aliases,
      createdAt: new Date(state.createdAt).toISOString(),
      deletedAt: iso(state.deletedAt),
      tags: state.tags.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue })),
    };
  }

  /** A key id, or a key ARN of this account and region. */
  private keyIdOf(keyId: string): string {
    const prefix = `arn:aws:kms:${this.options.region}:${this.options.accountId}:key/`;
    const id = keyId.startsWith(prefix) ? keyId.slice(prefix.length) : keyId;
    if (id === '' || id.length > 2048) throw new DomainError('Validation', 'keyId must be a key id or key ARN');
    return id;
  }

  private arn(keyId: string): string {
    return `arn:aws:kms:${this.options.region}:${this.options.accountId}:key/${keyId}`;
  }

  private keyNotFound(keyId: string): DomainError {
    return new DomainError('NotFound', `Key '${this.arn(keyId)}' does not exist`);
  }
}

// evolveKey keeps a backing key's object while it does not change, so its
// outward form is made once: a key with hundreds of backing keys would
// otherwise spend most of an as-of query formatting dates.
const materialViews = new WeakMap<BackingKey, KeyMaterialAsOf>();

function materialAsOf(b: BackingKey): KeyMaterialAsOf {
  let view = materialViews.get(b);
  if (view === undefined) {
    // Frozen: the one object is handed to every caller that asks about this backing key.
    view = Object.freeze({
      keyMaterialId: b.keyMaterialId,
      state: b.state,
      origin: b.origin,
      createdAt: new Date(b.createdAt).toISOString(),
      importState: b.importState,
      validTo: iso(b.validTo),
    });
    materialViews.set(b, view);
  }
  return view;
}

function later(a: bigint | 'start', b: bigint | 'start'): bigint | 'start' {
  if (a === 'start') return b;
  if (b === 'start') return a;
  return a > b ? a : b;
}

function timeOf(asOf: Date): number {
  const at = asOf instanceof Date ? asOf.getTime() : Number.NaN;
  if (Number.isNaN(at)) throw new DomainError('Validation', 'asOf must be a valid time');
  return at;
}

function keyStateName(state: KeyAggregate): KeyStateName {
  return state.deleted ? 'Deleted' : keyStateOf(state);
}

function currentBacking(state: KeyAggregate): BackingKey | undefined {
  if (state.deleted || state.currentKeyMaterialId === null) return undefined;
  return findBackingKey(state, state.currentKeyMaterialId);
}

/** When a backing key became the current one: its rotation, or its creation for the first. */
function becameCurrentAt(backing: BackingKey): number {
  return backing.rotationDate ?? backing.createdAt;
}

/** Cursors are the global position of the last event returned, as a decimal string. */
function parseCursor(cursor: string | undefined): bigint | 'start' {
  if (cursor === undefined || cursor === '') return 'start';
  if (!/^\d{1,20}$/.test(cursor)) throw new DomainError('InvalidMarker', 'The cursor is not one this API returned');
  return BigInt(cursor);
}

function auditMatcher(filter: AuditFilter): (event: RecordedEvent) => boolean {
  const from = filter.from === undefined ? -Infinity : timeOf(filter.from);
  const to = filter.to === undefined ? Infinity : timeOf(filter.to);
  const types =
    filter.type === undefined || filter.type === '' ? undefined : new Set(filter.type.split(',').map((t) => t.trim()));
  const actor = filter.actor === undefined || filter.actor === '' ? undefined : filter.actor;
  const timed = from !== -Infinity || to !== Infinity;
  return (event) => {
    if (types && !types.has(event.type)) return false;
    if (timed) {
      const time = eventTimeMs(event);
      if (time < from || time > to) return false;
    }
    if (actor !== undefined) {
      const who = (event.metadata as { actor?: { principal?: unknown; accessKeyId?: unknown } }).actor;
      if (!who) return false;
      const principal = typeof who.principal === 'string' ? who.principal : '';
      if (principal !== actor && who.accessKeyId !== actor && !principal.endsWith(`:user/${actor}`)) return false;
    }
    return true;
  };
}

function aliasEventConcerns(event: RecordedEvent, keyId: string): boolean {
  const data = event.data as Record<string, unknown>;
  return data.targetKeyId === keyId || data.fromKeyId === keyId || data.toKeyId === keyId;
}
