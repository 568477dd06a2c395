import { randomUUID } from 'node:crypto';
import { ANY, InvalidAppendError, NO_STREAM, STREAM_EXISTS } from './event-store.port.js';
import type { EventToAppend, ExpectedRevision, JsonObject } from './event-store.port.js';

/** An event that passed validation, with its JSON already serialised (so a bad payload fails before any write). */
export interface PreparedEvent {
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject | undefined;
  dataJson: string;
  /** null when there is no metadata: saves a parse per event on every read. */
  metadataJson: string | null;
}

// Ids must be UUIDs because EventStoreDB rejects anything else; enforcing it in
// both adapters keeps a ledger portable from one engine to the other.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isPlainObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function serialise(value: JsonObject, what: string, streamName: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    // BigInt values and cycles land here.
    throw new InvalidAppendError(
      `Append to '${streamName}': ${what} is not JSON-serialisable (${(error as Error).message})`,
    );
  }
  if (json === undefined) throw new InvalidAppendError(`Append to '${streamName}': ${what} is not JSON-serialisable`);
  return json;
}

export function validateStreamName(streamName: unknown): asserts streamName is string {
  if (typeof streamName !== 'string' || streamName.trim() === '') {
    throw new InvalidAppendError('Stream name must be a non-empty string');
  }
}

export function validateExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === NO_STREAM || expected === STREAM_EXISTS || expected === ANY) return;
  if (typeof expected === 'bigint' && expected >= 0n) return;
  throw new InvalidAppendError(`Invalid expected revision: ${String(expected)}`);
}

/**
 * Checks everything that can be checked without the store and serialises the
 * payloads. Throws InvalidAppendError, so nothing of a bad batch is ever written.
 *
 * An empty events array is rejected: EventStoreDB would accept it as a bare
 * version check, but then there is no last event to report as
 * nextExpectedRevision/position, and no caller of this ledger means to append nothing.
 */
export function prepareAppend(streamName: string, events: EventToAppend[]): PreparedEvent[] {
  validateStreamName(streamName);
  // EventStoreDB's system namespace: such streams need admin rights to write and are
  // filtered out of $all reads, so an event there would vanish from the ledger unseen.
  if (streamName.startsWith('$')) {
    throw new InvalidAppendError(
      `Stream name '${streamName}' is reserved: names starting with '$' are the store's own`,
    );
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidAppendError(`Append to '${streamName}': at least one event is required`);
  }
  const prepared: PreparedEvent[] = new Array(events.length);
  const seen = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event === null || typeof event !== 'object') {
      throw new InvalidAppendError(`Append to '${streamName}': event #${i} is not an object`);
    }
    if (typeof event.type !== 'string' || event.type.trim() === '') {
      throw new InvalidAppendError(`Append to '${streamName}': event #${i} has an empty type`);
    }
    // '$' is EventStoreDB's system namespace; such events are filtered out of $all there.
    if (event.type.startsWith('$')) {
      throw new InvalidAppendError(`Append to '${streamName}': event type '${event.type}' is reserved`);
    }
    if (!isPlainObject(event.data)) {
      throw new InvalidAppendError(`Append to '${streamName}': event #${i} data must be a plain JSON object`);
    }
    if (event.metadata !== undefined && !isPlainObject(event.metadata)) {
      throw new InvalidAppendError(`Append to '${streamName}': event #${i} metadata must be a plain JSON object`);
    }
    const id = event.id ?? randomUUID();
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw new InvalidAppendError(`Append to '${streamName}': event #${i} id '${String(id)}' is not a UUID`);
    }
    const key = id.toLowerCase();
    if (seen.has(key))
      throw new InvalidAppendError(`Append to '${streamName}': duplicate event id ${id} in one append`);
    seen.add(key);
    const dataJson = serialise(event.data, `event #${i} data`, streamName);
    const metadataJson =
      event.metadata === undefined || Object.keys(event.metadata).length === 0
        ? null
        : serialise(event.metadata, `event #${i} metadata`, streamName);
    prepared[i] = { id, type: event.type, data: event.data, metadata: event.metadata, dataJson, metadataJson };
  }
  return prepared;
}
