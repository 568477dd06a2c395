import { DomainError } from '../domain-error.js';
import { integrityOf, withIntegrity } from '../integrity/event-hash.js';

/** Concurrent writers on one stream lose the race this many times before the caller is told. */
export const MAX_APPEND_ATTEMPTS = 5;

/** The stream's last event as the appender saw it; `'no_stream'` when it has none yet. */
export interface ChainHead {
  revision: bigint | 'no_stream';
  lastHash: string | null;
}

/** What one attempt appends: events on top of `head`, each with `metadata` and its link in the hash chain. */
export interface ChainedBatch {
  head: ChainHead;
  events: ReadonlyArray<{ id?: string; type: string; data: object }>;
  metadata: Record<string, unknown>;
}

export interface ChainAppended {
  /** The revision of the first event appended, and the stream's revision after the last. */
  firstRevision: bigint;
  revision: bigint;
  /** The hash of the last event appended: the next append chains to it. */
  lastHash: string;
}

/** One attempt: a batch to append, then what to answer once it is durable; or an answer with nothing to append. */
export type AppendAttempt<R> = { append: ChainedBatch; onAppended: (appended: ChainAppended) => R } | { answer: R };

/**
 * The part of the event store an append needs: structurally the store port's own
 * method, so this module stays free of any store (the domain library does no I/O
 * of its own; the caller hands it the store).
 */
export interface ChainedAppendTarget {
  appendToStream(
    streamName: string,
    events: Array<{ id?: string; type: string; data: Record<string, unknown>; metadata?: Record<string, unknown> }>,
    options: { expectedRevision: bigint | 'no_stream' },
  ): Promise<{ nextExpectedRevision: bigint }>;
}

/** An event as the store takes it, its metadata carrying the integrity link. */
export interface ChainedEvent {
  id?: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** A lost race: the store's WrongExpectedVersionError, known by name so no store is imported here. */
const isLostRace = (error: unknown): boolean => error instanceof Error && error.name === 'WrongExpectedVersionError';

/** The events of a batch as the store takes them, each carrying its integrity link. */
export function chainBatch(streamName: string, batch: ChainedBatch): { toAppend: ChainedEvent[]; lastHash: string } {
  let previousHash = batch.head.lastHash;
  let revision = batch.head.revision === 'no_stream' ? 0n : batch.head.revision + 1n;
  const toAppend = batch.events.map((event): ChainedEvent => {
    const data = event.data as Record<string, unknown>;
    const metadata = withIntegrity(
      { streamName, revision: revision++, type: event.type, data, metadata: batch.metadata },
      previousHash,
    );
    previousHash = integrityOf(metadata)!.hash;
    return event.id === undefined
      ? { type: event.type, data, metadata }
      : { id: event.id, type: event.type, data, metadata };
  });
  return { toAppend, lastHash: previousHash! };
}

/**
 * The hash-chained append with expected revision: plan on what the stream holds,
 * append on top of it, and on a lost race plan again (attempt 1, 2, …: the plan
 * then reads fresh), a bounded number of times. Every writer of the ledger appends
 * through here, so every event is linked to the one before it in its stream.
 */
export async function appendChained<R>(
  store: ChainedAppendTarget,
  streamName: string,
  plan: (attempt: number) => AppendAttempt<R> | Promise<AppendAttempt<R>>,
  maxAttempts = MAX_APPEND_ATTEMPTS,
): Promise<R> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const planned = await plan(attempt);
    if ('answer' in planned) return planned.answer;
    const batch = planned.append;
    const { toAppend, lastHash } = chainBatch(streamName, batch);
    try {
      const result = await store.appendToStream(streamName, toAppend, {
        expectedRevision: batch.head.revision,
      });
      const firstRevision = result.nextExpectedRevision - BigInt(toAppend.length - 1);
      return planned.onAppended({ firstRevision, revision: result.nextExpectedRevision, lastHash });
    } catch (error) {
      if (isLostRace(error)) continue;
      throw error;
    }
  }
  throw new DomainError('Conflict', `Too many concurrent changes to ${streamName}; try again.`);
}
