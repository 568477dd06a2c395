import type { EventStore, RecordedEvent } from '@keyledger/event-store';
import { CHECKPOINT_STREAM } from '@keyledger/integrity';
import { canonicalJson } from '@keyledger/ledger';
import { CliFailure } from '../cli-errors.js';
import { describe, sameEvent } from './ledger-migration.js';

export interface LedgerComparison {
  events: number;
  streams: number;
}

/** Every event in global order, a page at a time. */
export async function* allEvents(store: EventStore, pageSize: number): AsyncGenerator<RecordedEvent> {
  let after: bigint | 'start' = 'start';
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    const last = page.at(-1);
    if (last === undefined) return;
    yield* page;
    after = last.position;
  }
}

/**
 * The end-of-migration proof: both ledgers walked in global order, event by
 * event (stream, revision, id, type, data, metadata), and the per-stream counts
 * compared. Metadata equality is what carries each hash chain across.
 * Checkpoints the migration re-signed (`checkpointsRewritten`) differ in data
 * and metadata by design; for them verify, not equality, is the proof.
 */
export async function compareLedgers(
  source: EventStore,
  target: EventStore,
  pageSize: number,
  onProgress?: (eventsCompared: number) => void,
  checkpointsRewritten = false,
): Promise<LedgerComparison> {
  const sourceCounts = new Map<string, number>();
  const targetCounts = new Map<string, number>();
  const sourceEvents = allEvents(source, pageSize);
  const targetEvents = allEvents(target, pageSize);
  let events = 0;
  for (;;) {
    const [{ value: a }, { value: b }] = await Promise.all([sourceEvents.next(), targetEvents.next()]);
    if (!a && !b) break;
    if (!a || !b) {
      throw new CliFailure(
        `verification failed: the ${a ? 'target' : 'source'} ends after ${events} event(s), where the ` +
          `${a ? 'source' : 'target'} still has ${describe((a ?? b)!)}`,
      );
    }
    const bodiesMustMatch = !(checkpointsRewritten && a.streamName === CHECKPOINT_STREAM);
    if (
      !sameEvent(a, b) ||
      (bodiesMustMatch &&
        (canonicalJson(a.data) !== canonicalJson(b.data) || canonicalJson(a.metadata) !== canonicalJson(b.metadata)))
    ) {
      throw new CliFailure(
        `verification failed at event #${events + 1}: source ${describe(a)} and target ${describe(b)} differ`,
      );
    }
    sourceCounts.set(a.streamName, (sourceCounts.get(a.streamName) ?? 0) + 1);
    targetCounts.set(b.streamName, (targetCounts.get(b.streamName) ?? 0) + 1);
    events++;
    if (events % pageSize === 0) onProgress?.(events);
  }
  onProgress?.(events);
  for (const [stream, count] of sourceCounts) {
    if (targetCounts.get(stream) !== count) {
      throw new CliFailure(
        `verification failed: stream ${stream} has ${count} event(s) in the source, ${targetCounts.get(stream) ?? 0} in the target`,
      );
    }
  }
  if (targetCounts.size !== sourceCounts.size)
    throw new CliFailure('verification failed: the target has streams the source does not');
  return { events, streams: sourceCounts.size };
}
