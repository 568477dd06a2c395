import type { AllStreamResolvedEvent, Position, ResolvedEvent } from '@eventstore/db-client';
import { EventStoreError } from '../event-store.port.js';
import type { JsonObject, RecordedEvent } from '../event-store.port.js';

/** An event plus its full $all position, which paging and resubscribing need exactly. */
export interface PositionedEvent {
  event: RecordedEvent;
  at: Position;
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/**
 * The port's positions are bigints: EventStoreDB's commit position. Reading
 * "after" such a position rebuilds {commit, prepare} with prepare = commit,
 * which is exact for every event not written in an explicit (TCP-only)
 * transaction: each event of a gRPC append, multi-event or not, has its own
 * log position as both commit and prepare position.
 */
export function positionAfter(after: bigint | 'start'): Position | undefined {
  return after === 'start' ? undefined : { commit: after, prepare: after };
}

const textDecoder = new TextDecoder();

function toJsonObject(value: unknown): JsonObject {
  if (value === undefined || value === null) return {};
  if (value instanceof Uint8Array) {
    if (value.length === 0) return {};
    const text = textDecoder.decode(value);
    try {
      return toJsonObject(JSON.parse(text));
    } catch {
      // Not written by this adapter (binary event): keep the bytes rather than drop the event.
      return { $binary: Buffer.from(value).toString('base64') };
    }
  }
  if (typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
  return { value: value as JsonObject[string] };
}

/** The store's own streams and events ($-prefixed), which are not the ledger's. */
export function isSystem(streamId: string, type: string): boolean {
  return type.startsWith('$') || streamId.startsWith('$');
}

/** Maps a resolved event, or returns undefined for system events and unresolved links. */
export function toPositioned(resolved: ResolvedEvent | AllStreamResolvedEvent): PositionedEvent | undefined {
  const recorded = resolved.event;
  if (!recorded || isSystem(recorded.streamId, recorded.type)) return undefined;
  const at =
    recorded.position ??
    (resolved.commitPosition !== undefined
      ? { commit: resolved.commitPosition, prepare: resolved.commitPosition }
      : undefined);
  if (!at) {
    throw new EventStoreError('EventStoreDB did not return event positions: version 22.6 or later is required');
  }
  return {
    at,
    event: {
      // EventStoreDB gives ids back in lower case; the port compares them with sameEventId.
      id: recorded.id,
      streamName: recorded.streamId,
      type: recorded.type,
      data: toJsonObject(recorded.data),
      metadata: toJsonObject(recorded.metadata),
      recordedAt: recorded.created,
      revision: recorded.revision,
      position: at.commit,
    },
  };
}
