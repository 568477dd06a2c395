import { NO_STREAM, type EventStore, type RecordedEvent } from '@keyledger/event-store';

const FIRST_CHUNK = 64;
const MAX_CHUNK = 2048;

/** One stream read forwards a chunk at a time, each chunk twice the last, from a given revision. */
class StreamReader {
  private buffer: RecordedEvent[] = [];
  private chunk = FIRST_CHUNK;

  constructor(
    private readonly store: EventStore,
    readonly stream: string,
    private next: bigint,
    private readonly last: bigint,
  ) {}

  /** The next event, or undefined when the stream (as it was when opened) is read. */
  async head(): Promise<RecordedEvent | undefined> {
    if (this.buffer.length === 0 && this.next <= this.last) {
      this.buffer = await this.store.readStream(this.stream, { fromRevision: this.next, maxCount: this.chunk });
      this.next += BigInt(this.buffer.length);
      if (this.buffer.length === 0) this.next = this.last + 1n;
      this.chunk = Math.min(this.chunk * 2, MAX_CHUNK);
    }
    return this.buffer[0];
  }

  take(): void {
    this.buffer.shift();
  }
}

/**
 * The events of a few streams committed after a global position, merged in log order, for a caller that
 * stops once it has what it needs (an audit page): each stream is entered at its first event after the
 * position by a binary search on revisions, a read of one event per step, and then read as far as the
 * caller goes, so a long stream (a hot key's usage) costs what the page needs, not its length.
 */
export async function* streamsAfter(
  store: EventStore,
  streams: readonly string[],
  after: bigint | 'start',
): AsyncGenerator<{ stream: string; event: RecordedEvent }> {
  const readers: StreamReader[] = [];
  for (const stream of streams) {
    const reader = await openAfter(store, stream, after);
    if (reader) readers.push(reader);
  }
  for (;;) {
    let first: { reader: StreamReader; event: RecordedEvent } | undefined;
    for (const reader of readers) {
      const event = await reader.head();
      if (event && (!first || event.position < first.event.position)) first = { reader, event };
    }
    if (!first) return;
    first.reader.take();
    yield { stream: first.reader.stream, event: first.event };
  }
}

async function openAfter(
  store: EventStore,
  stream: string,
  after: bigint | 'start',
): Promise<StreamReader | undefined> {
  const last = await store.streamRevision(stream);
  if (last === NO_STREAM) return undefined;
  if (after === 'start') return new StreamReader(store, stream, 0n, last);
  const positionAt = async (revision: bigint) =>
    (await store.readStream(stream, { fromRevision: revision, maxCount: 1 }))[0]?.position;
  // The first revision whose event comes after `after` (last + 1: none does).
  let low = 0n;
  let high = last + 1n;
  while (low < high) {
    const middle = (low + high) / 2n;
    const position = await positionAt(middle);
    if (position !== undefined && position > after) high = middle;
    else low = middle + 1n;
  }
  return low > last ? undefined : new StreamReader(store, stream, low, last);
}
