import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import {
  aliasStreamName,
  DEFAULT_PAGE_SIZE,
  DomainError,
  keyStreamName,
  regionOf,
  USAGE_EVENT_TYPES,
  usageStream,
} from '@keyledger/ledger';
import type { AsOfStates } from './as-of-states.js';
import { eventTimeMs, toAuditEvent, type AuditEvent } from './history.js';
import { LOG_PAGE, timeOf, type LedgerQueryOptions } from './query-support.js';
import { regionalKey, type RegionalKey } from './regional-keys.js';

export interface AuditFilter {
  from?: Date;
  to?: Date;
  keyId?: string;
  /** With keyId: the region of the key (absent: a key ARN's own, else the home region). */
  region?: string;
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

export const DEFAULT_AUDIT_LIMIT = DEFAULT_PAGE_SIZE;
export const MAX_AUDIT_LIMIT = 1000;
/** Events one audit call reads at most before it returns a (possibly short) page with a cursor. */
export const AUDIT_SCAN_BUDGET = 250_000;

/**
 * Events of every stream in log order, filtered. `from`/`to` (inclusive)
 * compare domain times; `keyId` selects the key's own events, its usage events and the alias
 * events that pointed at it or away from it; `actor` matches the principal
 * ARN, its user name or the access key id; `type` is one type or a comma list.
 */
export class AuditQuery {
  constructor(
    private readonly store: EventStore,
    private readonly states: AsOfStates,
    private readonly options: LedgerQueryOptions,
  ) {}

  async events(filter: AuditFilter): Promise<AuditPage> {
    const limit = filter.limit ?? DEFAULT_AUDIT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT)
      throw new DomainError('Validation', `limit must be an integer from 1 to ${MAX_AUDIT_LIMIT}`);
    const after = parseCursor(filter.cursor);
    const matches = auditMatcher(filter);
    if (filter.keyId !== undefined)
      return this.ofKey(regionalKey(this.options, filter.keyId, filter.region), after, limit, matches);

    const events: AuditEvent[] = [];
    let position: bigint | 'start' = after;
    let scanned = 0;
    for (;;) {
      const page = await this.store.readAll({ after: position, maxCount: LOG_PAGE });
      for (const event of page) {
        position = event.position;
        scanned++;
        if (!matches(event)) continue;
        events.push(toAuditEvent(event));
        if (events.length === limit) return { events, nextCursor: event.position.toString() };
      }
      if (page.length < LOG_PAGE) return { events, nextCursor: null };
      if (scanned >= AUDIT_SCAN_BUDGET)
        return { events, nextCursor: position === 'start' ? null : position.toString() };
    }
  }

  private async ofKey(
    key: RegionalKey,
    after: bigint | 'start',
    limit: number,
    matches: (event: RecordedEvent) => boolean,
  ): Promise<AuditPage> {
    await this.states.catchUp();
    const { keyId } = key;
    // Alias events name the bare key id: only the aliases of the key's own region concern it.
    const aliases = this.states.times
      .aliasNamesEver(keyId)
      .filter((ref) => regionOf(ref, this.options.region) === key.region);
    const usage = usageStream(key.ref);
    const own = [keyStreamName(key.ref), usage];
    const streams = [...own, ...aliases.map(aliasStreamName)];
    const all: RecordedEvent[] = [];
    for (const stream of streams) {
      try {
        for (const event of await this.store.readStream(stream)) {
          if (after !== 'start' && event.position <= after) continue;
          if (!own.includes(stream) && !aliasEventConcerns(event, keyId)) continue;
          // Usage streams are per regional key; a home-region stream written before that may hold another
          // region's aggregates, and each names the region it was counted in.
          if (stream === usage && (event.data as { region?: unknown }).region !== key.region) continue;
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
      nextCursor: all.length > limit ? (page.at(-1)?.position.toString() ?? null) : null,
    };
  }
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
      // A usage event is written by Keyledger; the actor that matters is the principal who used the key.
      const who = USAGE_EVENT_TYPES.has(event.type)
        ? { principal: (event.data as { principal?: unknown }).principal, accessKeyId: undefined }
        : (event.metadata as { actor?: { principal?: unknown; accessKeyId?: unknown } }).actor;
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
