import type { RecordedEvent } from '@keyledger/event-store';
import { USAGE_STREAM_PREFIX, type KeyUsageData } from '@keyledger/ledger';

/** A key's last successful use: the newest KeyUsageRecorded aggregate's end, operation, principal and request. */
export interface LastSuccess {
  at: string;
  operation: string;
  principal: string;
  requestId: string;
}

/** As kept: the time as a number (compared on every event), strings shared between keys where they repeat. */
interface Kept {
  atMs: number;
  operation: string;
  principal: string;
  requestId: string;
}

/** [regional key id, last use (null: none)] */
export type LastUseEntry = [string, Kept | null];

export interface LastUseContents {
  /** Every usage event of the log up to the snapshot was seen: a key with no entry was never used. */
  whole: boolean;
  keys: LastUseEntry[];
}

/**
 * Each regional key's last successful use, kept beside the KeyStateCache so that the inventory, the unused-keys
 * report and GetKeyLastUsage answer it without reading the key's usage stream. Fed from the log (the
 * projection's live subscription, a query's catch-up read), which is why it is exact across processes.
 *
 * A first start reads no usage (the projection's catch-up leaves it out), so a key's last use is known only
 * once its whole stream has been seen: then `learn` takes a backward scan read after this index's feed had
 * begun, and what the feed delivered meanwhile (kept apart as `partial`) is merged in, so nothing falls
 * between the two. Applying an event twice changes nothing: the newest use wins.
 */
export class LastUseIndex {
  private whole = false;
  private readonly known = new Map<string, Kept | null>();
  /** Uses seen of keys whose stream was not seen in full: a lower bound, never an answer. */
  private readonly partial = new Map<string, Kept>();
  private readonly words = new Map<string, string>();

  /** The key's last use when its whole stream has been seen (null: never used); undefined when not known. */
  lastUse(ref: string): LastSuccess | null | undefined {
    const kept = this.known.get(ref);
    if (kept !== undefined) return kept === null ? null : successOf(kept);
    return this.whole ? null : undefined;
  }

  /** One recorded event of any stream, in log order; only successful uses change anything. */
  applyRecorded(event: RecordedEvent): void {
    if (event.type !== 'KeyUsageRecorded' || !event.streamName.startsWith(USAGE_STREAM_PREFIX)) return;
    const data = event.data as unknown as KeyUsageData;
    const ref = event.streamName.slice(USAGE_STREAM_PREFIX.length);
    const use: Kept = {
      atMs: Date.parse(data.lastAt),
      operation: this.word(data.operation),
      principal: this.word(data.principal),
      requestId: data.lastRequestId,
    };
    if (this.whole || this.known.has(ref)) this.known.set(ref, newer(this.known.get(ref) ?? null, use));
    else this.partial.set(ref, newer(this.partial.get(ref) ?? null, use));
  }

  /**
   * The key's last use as a scan of its whole stream found it, read while this index was fed: merged with
   * what the feed delivered meanwhile, and known from now on. Returns the merged answer.
   */
  learn(ref: string, scanned: LastSuccess | null): LastSuccess | null {
    const fed = this.partial.get(ref) ?? null;
    this.partial.delete(ref);
    const kept = newer(newer(this.known.get(ref) ?? null, scanned && this.kept(scanned)), fed);
    this.known.set(ref, kept);
    return kept === null ? null : successOf(kept);
  }

  /** The log holds no usage the index has not seen: a key it does not know was never used. */
  markWhole(): void {
    this.whole = true;
    for (const [ref, use] of this.partial) this.known.set(ref, newer(this.known.get(ref) ?? null, use));
    this.partial.clear();
  }

  /** Usage may have been passed unseen (a restart's catch-up left some out): every key is to be learnt again. */
  forgetCompleteness(): void {
    this.whole = false;
    for (const [ref, use] of this.known) if (use !== null) this.partial.set(ref, use);
    this.known.clear();
  }

  contents(): LastUseContents {
    return { whole: this.whole, keys: [...this.known] };
  }

  restore(contents: LastUseContents): void {
    this.known.clear();
    this.partial.clear();
    this.whole = contents.whole;
    for (const [ref, use] of contents.keys)
      this.known.set(ref, use && { ...use, operation: this.word(use.operation), principal: this.word(use.principal) });
  }

  private kept(use: LastSuccess): Kept {
    return {
      atMs: Date.parse(use.at),
      operation: this.word(use.operation),
      principal: this.word(use.principal),
      requestId: use.requestId,
    };
  }

  /** Principals and operations repeat across keys: one copy of each. */
  private word(value: string): string {
    const shared = this.words.get(value);
    if (shared !== undefined) return shared;
    this.words.set(value, value);
    return value;
  }
}

/** The later use; on a tie the one seen last (appended later), as a backward scan also picks it. */
function newer(a: Kept | null, b: Kept): Kept;
function newer(a: Kept | null, b: Kept | null): Kept | null;
function newer(a: Kept | null, b: Kept | null): Kept | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.atMs >= a.atMs ? b : a;
}

const successOf = (kept: Kept): LastSuccess => ({
  at: new Date(kept.atMs).toISOString(),
  operation: kept.operation,
  principal: kept.principal,
  requestId: kept.requestId,
});
