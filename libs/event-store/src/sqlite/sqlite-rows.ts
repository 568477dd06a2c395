import { DamagedEventError, EventStoreError, InvalidAppendError } from '../event-store.port.js';
import type { RecordedEvent, RecordedEventJson } from '../event-store.port.js';

// Row layout of every SELECT below, read in raw (array) mode because building
// keyed row objects costs more than the query on the readAll hot path.
export type EventRow = [
  position: number,
  stream: string,
  revision: number,
  id: string,
  type: string,
  data: string,
  metadata: string | null,
  recordedAt: number,
];
export const COLUMNS = 'position, stream, revision, id, type, data, metadata, recorded_at';

/** `file` names the store in the DamagedEventError a row whose JSON cannot be parsed gets. */
export function toRecordedEvent(row: EventRow, file: string): RecordedEvent {
  let data: unknown;
  let metadata: unknown;
  try {
    data = JSON.parse(row[5]);
    metadata = row[6] === null ? {} : JSON.parse(row[6]);
  } catch {
    throw new DamagedEventError(file, BigInt(row[0]), row[1], BigInt(row[2]));
  }
  return {
    id: row[3],
    streamName: row[1],
    type: row[4],
    data: data as RecordedEvent['data'],
    metadata: metadata as RecordedEvent['metadata'],
    recordedAt: new Date(row[7]),
    revision: BigInt(row[2]),
    position: BigInt(row[0]),
  };
}

/** A row of readAllJson's SELECT: position, stream, revision, type, data, metadata. */
export type EventJsonRow = [number, string, number, string, string, string | null];

export function toRecordedEventJson(row: EventJsonRow): RecordedEventJson {
  return {
    streamName: row[1],
    type: row[3],
    revision: BigInt(row[2]),
    position: BigInt(row[0]),
    dataJson: row[4],
    metadataJson: row[5] ?? '{}',
  };
}

/** maxCount → SQLite LIMIT, where -1 means no limit. */
export function toLimit(maxCount: number | undefined): number {
  if (maxCount === undefined || maxCount === Infinity) return -1;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer`);
  return maxCount;
}

export function isConstraintViolation(error: unknown): boolean {
  return String((error as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_CONSTRAINT');
}

export function translateSqliteError(error: unknown): Error {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const message = (error as Error).message;
    if (message.includes('events.id'))
      return new InvalidAppendError('Duplicate event id: an event with this id is already stored');
    return new EventStoreError(`Append failed: ${message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
