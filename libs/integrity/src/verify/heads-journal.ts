import type { Head } from './stream-chain-check.js';

/** How far back (in events) a checkpoint's coverage may lie behind the checkpoint event itself. */
export const JOURNAL_CAPACITY = 1 << 16;

/** A stream's head before an event, or undefined where the event began the stream. */
export type PreviousHead = { revision: bigint; hash: string } | undefined;

/**
 * The last JOURNAL_CAPACITY head changes of the scan, each with the head it
 * replaced: undone from the newest, they give the heads as of an earlier
 * event, which is what a checkpoint written a little after its coverage
 * signed. A ring of parallel arrays: nothing is allocated per event.
 */
export class HeadsJournal {
  private readonly streams: string[] = new Array(JOURNAL_CAPACITY);
  private readonly revisions: Array<bigint | undefined> = new Array(JOURNAL_CAPACITY);
  private readonly hashes: Array<string | undefined> = new Array(JOURNAL_CAPACITY);
  private readonly positions: bigint[] = new Array(JOURNAL_CAPACITY);
  private readonly ids: Array<string | undefined> = new Array(JOURNAL_CAPACITY);
  /** Events recorded so far (the checkpoint stream's left out): the k-th has seq k. */
  count = 0;

  /** Records an event of a stream other than the checkpoint stream, before its head moves on. */
  record(streamName: string, previous: Head | undefined, position: bigint, id: string | undefined): void {
    const i = this.count++ % JOURNAL_CAPACITY;
    this.streams[i] = streamName;
    this.revisions[i] = previous?.revision;
    this.hashes[i] = previous === undefined ? undefined : (previous.hash ?? '');
    this.positions[i] = position;
    this.ids[i] = id;
  }

  /** Whether the events after seq `covered` (and that one) are still held. */
  reaches(covered: number): boolean {
    return this.count - covered < JOURNAL_CAPACITY;
  }

  /** The id of the event with seq `seq` (1-based), if the store gave ids and it is still held. */
  idOf(seq: number): string | undefined {
    if (seq < 1 || seq > this.count || !this.reaches(seq)) return undefined;
    return this.ids[(seq - 1) % JOURNAL_CAPACITY];
  }

  /** Seq of the last recorded event at or before `position`; undefined when the journal no longer reaches back. */
  seqAtPosition(position: bigint): number | undefined {
    let seq = this.count;
    while (seq > 0 && (this.positions[(seq - 1) % JOURNAL_CAPACITY] ?? -1n) > position) {
      seq--;
      if (!this.reaches(seq)) return undefined;
    }
    return seq;
  }

  /** Heads that differ as of seq `covered` from now: stream → its head then (undefined: it did not exist). */
  undo(covered: number): Map<string, PreviousHead> {
    const then = new Map<string, PreviousHead>();
    for (let seq = this.count; seq > covered; seq--) {
      const i = (seq - 1) % JOURNAL_CAPACITY;
      const [stream, revision, hash] = [this.streams[i], this.revisions[i], this.hashes[i]];
      if (stream === undefined) continue;
      then.set(stream, revision === undefined || hash === undefined ? undefined : { revision, hash });
    }
    return then;
  }
}
