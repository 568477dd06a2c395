import type { RecordedEvent } from '@keyledger/event-store';
import { SEALED_FIELDS, type Actor } from '@keyledger/ledger';

/** One event as the ledger API and the CLI show it: never a sealed secret. */
export interface HistoryEvent {
  /** The event's id in the store. */
  id: string;
  type: string;
  /** Revision in its stream, a bigint as a decimal string. */
  revision: string;
  /** Global position in the store, a bigint as a decimal string. */
  position: string;
  /** When the store committed the event (wall clock of the store). */
  recordedAt: string;
  /** The domain time of the event (`metadata.time`): what "as of" and the audit time filters use. */
  time: string | null;
  actor: Actor | null;
  requestId: string | null;
  data: Record<string, unknown>;
}

export interface AuditEvent extends HistoryEvent {
  streamName: string;
}

const SEALED = new Set(SEALED_FIELDS);

/**
 * A copy of `value` without any member named in SEALED_FIELDS, at any depth:
 * the sealed forms are useless without the shred keys, but they are still
 * ciphertexts of key material and have no business in a report.
 */
export function withoutSealed(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withoutSealed);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (SEALED.has(key)) continue;
    out[key] = withoutSealed((value as Record<string, unknown>)[key]);
  }
  return out;
}

function actorOf(metadata: Record<string, unknown>): Actor | null {
  const actor = metadata.actor as Partial<Actor> | undefined;
  if (!actor || typeof actor !== 'object' || typeof actor.principal !== 'string') return null;
  return {
    principal: actor.principal,
    accessKeyId: typeof actor.accessKeyId === 'string' ? actor.accessKeyId : null,
    sourceAddress: typeof actor.sourceAddress === 'string' ? actor.sourceAddress : null,
  };
}

export function toHistoryEvent(event: RecordedEvent): HistoryEvent {
  const metadata = (event.metadata ?? {}) as Record<string, unknown>;
  return {
    id: event.id,
    type: event.type,
    revision: event.revision.toString(),
    position: event.position.toString(),
    recordedAt: event.recordedAt.toISOString(),
    time: typeof metadata.time === 'string' ? metadata.time : null,
    actor: actorOf(metadata),
    requestId: typeof metadata.requestId === 'string' ? metadata.requestId : null,
    data: withoutSealed(event.data) as Record<string, unknown>,
  };
}

export function toAuditEvent(event: RecordedEvent): AuditEvent {
  return { streamName: event.streamName, ...toHistoryEvent(event) };
}

/**
 * The domain time of an event in ms: `metadata.time` (the one Clock, which
 * tests move), falling back to the store's recordedAt for an event written
 * without it.
 */
export function eventTimeMs(event: Pick<RecordedEvent, 'metadata' | 'recordedAt'>): number {
  const time = (event.metadata as { time?: unknown } | null)?.time;
  if (typeof time === 'string') {
    const ms = Date.parse(time);
    if (!Number.isNaN(ms)) return ms;
  }
  return event.recordedAt.getTime();
}
