import type { EventStore, RecordedEventJson } from '@keyledger/event-store';

/** What verify reads: the log in global order (a store, or an export file read as one). */
export type LedgerLog = Pick<EventStore, 'readAll' | 'readAllJson'>;

/**
 * What the scan needs of an event: a RecordedEvent from readAll, or built
 * from readAllJson, whose data stays JSON text until something needs it
 * parsed (a checkpoint, or hashing on this thread).
 */
export interface ScanEvent {
  /** From readAll; the JSON form has none. */
  id?: string;
  streamName: string;
  type: string;
  revision: bigint;
  position: bigint;
  metadata: Record<string, unknown>;
  data?: unknown;
  dataJson?: string;
  metadataJson?: string;
}

function fromJson(event: RecordedEventJson): ScanEvent {
  return {
    streamName: event.streamName,
    type: event.type,
    revision: event.revision,
    position: event.position,
    metadata: JSON.parse(event.metadataJson) as Record<string, unknown>,
    data: undefined,
    dataJson: event.dataJson,
    metadataJson: event.metadataJson,
  };
}

export function dataOf(event: ScanEvent): unknown {
  if (event.dataJson !== undefined && event.data === undefined) event.data = JSON.parse(event.dataJson);
  return event.data;
}

/** One page of the log in global order, as the stored JSON text (parsed only where needed). */
export function pageReader(store: LedgerLog, pageSize: number): (after: bigint | 'start') => Promise<ScanEvent[]> {
  return async (after) => (await store.readAllJson({ after, maxCount: pageSize })).map(fromJson);
}
