import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import {
  USAGE_EVENT_TYPES,
  USAGE_TRACKING_STREAM,
  usageStream,
  type KeyUsageData,
  type UsageTrackingStarted,
} from '@keyledger/ledger';
import type { LastSuccess, LastUseIndex } from '../../last-use-index.js';
import { eventTimeMs } from '../history.js';
import { LOG_PAGE } from '../query-support.js';

/** One usage aggregate as the read side sees it: a success (`errorCode` null) or a refused attempt. */
export interface UsageRow extends KeyUsageData {
  errorCode: string | null;
  firstMs: number;
  lastMs: number;
}

/** A window of use times, both ends inclusive, in epoch milliseconds. */
export interface UsageWindow {
  from: number;
  to: number;
}

/**
 * Uses are appended after they happen, so an aggregate's uses precede its flush (`metadata.time`): reading a
 * usage stream backwards can stop at the first batch flushed before the time asked about. This margin
 * allows for the clocks of several servers sharing one store.
 */
export const FLUSH_CLOCK_SKEW_MS = 5 * 60_000;

function rowOf(event: RecordedEvent): UsageRow | undefined {
  if (!USAGE_EVENT_TYPES.has(event.type)) return undefined;
  const data = event.data as unknown as KeyUsageData & { errorCode?: string };
  return {
    ...data,
    errorCode: event.type === 'KeyUsageRefused' ? (data.errorCode ?? 'Unknown') : null,
    firstMs: Date.parse(data.firstAt),
    lastMs: Date.parse(data.lastAt),
  };
}

/**
 * The first page of a backward scan. Most questions (a key's last use) stop within a batch or two, and a
 * hot key's stream holds thousands: reading a whole log page first made the inventory read every key's
 * month of usage. Pages then grow fourfold up to LOG_PAGE, so a long scan still reads in large pages.
 */
const FIRST_BACKWARD_PAGE = 4;

/**
 * A key's usage stream newest batch first, page by page, until `stop` says that nothing older can matter
 * (it is given the flush time of the next event). A key never used has no stream: nothing is read.
 */
export async function scanUsageBackwards(
  store: EventStore,
  keyId: string,
  visit: (row: UsageRow) => void,
  stop: (flushedMs: number) => boolean,
): Promise<void> {
  let from: bigint | 'end' = 'end';
  let pageSize = FIRST_BACKWARD_PAGE;
  for (;;) {
    let page: RecordedEvent[];
    try {
      page = await store.readStream(usageStream(keyId), {
        direction: 'backwards',
        fromRevision: from,
        maxCount: pageSize,
      });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return;
      throw error;
    }
    for (const event of page) {
      if (stop(eventTimeMs(event))) return;
      const row = rowOf(event);
      if (row !== undefined) visit(row);
    }
    const oldest = page[page.length - 1];
    if (page.length < pageSize || oldest === undefined || oldest.revision === 0n) return;
    from = oldest.revision - 1n;
    pageSize = Math.min(pageSize * 4, LOG_PAGE);
  }
}

/** Every aggregate of a key whose uses overlap the window (an aggregate spans at most one minute). */
export async function usageIn(store: EventStore, keyId: string, window: UsageWindow): Promise<UsageRow[]> {
  const rows: UsageRow[] = [];
  await scanUsageBackwards(
    store,
    keyId,
    (row) => {
      if (row.lastMs >= window.from && row.firstMs <= window.to) rows.push(row);
    },
    (flushedMs) => flushedMs < window.from - FLUSH_CLOCK_SKEW_MS,
  );
  return rows.reverse();
}

/** When a backing key, or a principal, was last seen using a key: the newest successful aggregate. */
export interface LastUse {
  at: string;
  operation: string;
  principal: string;
  keyMaterialId: string | null;
  requestId: string;
}

export const lastUseOf = (row: UsageRow): LastUse => ({
  at: row.lastAt,
  operation: row.operation,
  principal: row.principal,
  keyMaterialId: row.keyMaterialId,
  requestId: row.lastRequestId,
});

/**
 * The key's last successful use at or before `notAfter`, read backwards until no older batch could hold a
 * later one. Refusals are not uses.
 */
export async function lastSuccessfulUse(
  store: EventStore,
  keyId: string,
  notAfter: number,
): Promise<LastSuccess | null> {
  let best: UsageRow | undefined;
  await scanUsageBackwards(
    store,
    keyId,
    (row) => {
      if (row.errorCode !== null || row.firstMs > notAfter) return;
      if (best === undefined || row.lastMs > best.lastMs) best = row;
    },
    (flushedMs) => best !== undefined && flushedMs < best.lastMs - FLUSH_CLOCK_SKEW_MS,
  );
  return best === undefined
    ? null
    : { at: best.lastAt, operation: best.operation, principal: best.principal, requestId: best.lastRequestId };
}

/**
 * The key's last successful use at or before `at`, as lastSuccessfulUse reads it, from `index` where it can
 * tell: a key it does not know yet is scanned in full once and remembered; a key whose last use is after
 * `at` (an inventory of a past time) is scanned as far as that time, as without an index.
 */
export async function lastUseAt(
  store: EventStore,
  index: LastUseIndex | undefined,
  keyId: string,
  at: number,
): Promise<LastSuccess | null> {
  if (index === undefined) return lastSuccessfulUse(store, keyId, at);
  let known = index.lastUse(keyId);
  if (known === undefined) known = index.learn(keyId, await lastSuccessfulUse(store, keyId, Number.POSITIVE_INFINITY));
  if (known === null || Date.parse(known.at) <= at) return known;
  return lastSuccessfulUse(store, keyId, at);
}

/** When this ledger began recording usage: nothing before it is known. Null while nothing was ever flushed. */
export async function usageTrackingStart(store: EventStore): Promise<string | null> {
  try {
    const [first] = await store.readStream(USAGE_TRACKING_STREAM, { maxCount: 1 });
    return first === undefined ? null : (first.data as UsageTrackingStarted['data']).startedAt;
  } catch (error) {
    if (error instanceof StreamNotFoundError) return null;
    throw error;
  }
}
