import {
  AppendTooLargeError,
  NO_STREAM,
  StreamNotFoundError,
  sameEventId,
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type RecordedEvent,
} from '@keyledger/event-store';
import type { CheckpointKeys } from '@keyledger/integrity';
import { CliFailure } from '../cli-errors.js';
import { asAppended, CheckpointRewrite } from './checkpoint-rewrite.js';
import { loadCheckpoint, saveCheckpoint, type EventRef, type MigrationCheckpoint } from './migration-checkpoint.js';

const RECENT_EVENTS_KEPT = 16;

export interface MigrationOptions {
  source: EventStore;
  target: EventStore;
  /** Shown in messages and stored in the checkpoint; never carries credentials. */
  targetDescription: string;
  checkpointPath: string;
  /** Source events read, appended and checkpointed together. */
  batchSize: number;
  /**
   * The most serialised bytes one append may carry (EventStoreDB refuses an
   * append over MaxAppendSize, 1 MiB by default); none: no limit.
   */
  maxAppendBytes?: number;
  /** Stop after appending this many events in this run (for testing resumption); the checkpoint is kept. */
  maxEvents?: number;
  /**
   * Issue all of a batch's appends before awaiting them. Only for the embedded
   * target: it applies appends in call order in one group commit, so global
   * order is kept. EventStoreDB gives no order between concurrent appends.
   */
  pipelineAppends: boolean;
  /** Aborting stops after the batch in flight, with its checkpoint written. */
  signal?: AbortSignal;
  /**
   * The source's checkpoint keys (from its root key), opened only when v1
   * checkpoints must be re-signed for another engine (see CheckpointRewrite).
   */
  checkpointKeys?: () => CheckpointKeys;
  /** Called with the number of source events now in the target. */
  onProgress?(eventsMigrated: number): void;
  log(message: string): void;
}

export interface MigrationResult {
  /** The whole source (as of the last read) is in the target. */
  complete: boolean;
  eventsMigrated: number;
  appendedThisRun: number;
  /** Found already in the target beyond the checkpoint (a run that died between append and checkpoint). */
  foundInTarget: number;
  resumed: boolean;
  /** Checkpoint events re-signed for the target (v1 checkpoints into another engine); 0: copied as they are. */
  checkpointsRewritten: number;
}

interface Cursor {
  sourceAfter: bigint | 'start';
  targetAfter: bigint | 'start';
  migrated: number;
  recent: EventRef[];
}

const refOf = (e: RecordedEvent): EventRef => ({ streamName: e.streamName, revision: e.revision.toString(), id: e.id });
export const describe = (e: { streamName: string; revision: bigint | string; id: string }): string =>
  `${e.streamName}@${e.revision} (id ${e.id})`;

export function sameEvent(a: RecordedEvent, b: RecordedEvent): boolean {
  return a.streamName === b.streamName && a.revision === b.revision && sameEventId(a.id, b.id) && a.type === b.type;
}

async function eventAt(store: EventStore, ref: EventRef): Promise<RecordedEvent | undefined> {
  try {
    const [event] = await store.readStream(ref.streamName, { fromRevision: BigInt(ref.revision), maxCount: 1 });
    return event && event.revision === BigInt(ref.revision) ? event : undefined;
  } catch (error) {
    if (error instanceof StreamNotFoundError) return undefined;
    throw error;
  }
}

/**
 * EventStoreDB's MaxAppendSize (1,048,576 bytes by default) counts the events'
 * data and metadata; this budget leaves room for ids, types and framing.
 */
export const EVENTSTOREDB_APPEND_BUDGET = 1_000_000;

/** What an event weighs in an append: its data and metadata as sent, its type, and a margin for id and framing. */
export function appendSizeOf(event: RecordedEvent): number {
  return (
    Buffer.byteLength(JSON.stringify(event.data)) +
    Buffer.byteLength(JSON.stringify(event.metadata)) +
    Buffer.byteLength(event.type) +
    64
  );
}

/**
 * Consecutive events of one stream in global order have consecutive
 * revisions: each run is one append, cut where it would pass maxAppendBytes.
 * An event heavier than maxAppendBytes on its own cannot be appended at all.
 */
/** Consecutive events of one stream, appended together. */
type RunOfEvents = [RecordedEvent, ...RecordedEvent[]];
const hasEvents = (run: RecordedEvent[]): run is RunOfEvents => run.length > 0;

export function splitIntoRuns(events: RecordedEvent[], maxAppendBytes = Number.POSITIVE_INFINITY): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  let runBytes = 0;
  for (const event of events) {
    const size = appendSizeOf(event);
    if (size > maxAppendBytes) {
      throw new CliFailure(
        `cannot migrate ${describe(event)}: its ${size} bytes are more than one append to the target may carry ` +
          `(${maxAppendBytes}). Nothing of its batch was written; the target is a resumable copy up to the event before.`,
      );
    }
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (
      run &&
      last &&
      last.streamName === event.streamName &&
      last.revision + 1n === event.revision &&
      runBytes + size <= maxAppendBytes
    ) {
      run.push(event);
      runBytes += size;
    } else {
      runs.push([event]);
      runBytes = size;
    }
  }
  return runs;
}

/**
 * Copies the ledger event by event into the target: same streams, revisions,
 * ids, types, data and metadata (so every hash chain holds), in the same global
 * order. Each append states the revision it expects, so nothing can be appended
 * twice or land on a stream that moved on. Resumable: see MigrationCheckpoint.
 */
export class LedgerMigration {
  private rewrite: CheckpointRewrite | undefined;

  constructor(private readonly options: MigrationOptions) {}

  async run(): Promise<MigrationResult> {
    const { options } = this;
    this.rewrite = await CheckpointRewrite.plan(options.source, options.target, () => {
      if (!options.checkpointKeys) throw new Error('no root key was given to the migration');
      return options.checkpointKeys();
    });
    const cursor = await this.startingCursor();
    const resumed = cursor.migrated > 0;
    if (this.rewrite && cursor.sourceAfter !== 'start') {
      await this.rewrite.replayCopied(options.source, options.target, cursor.sourceAfter, options.batchSize);
    }
    const foundInTarget = await this.skipWhatTheTargetHas(cursor);
    if (foundInTarget > 0) {
      options.log(
        `${foundInTarget} event(s) after the checkpoint were already in the target (checked by id); continuing after them`,
      );
      this.save(cursor);
    }
    options.onProgress?.(cursor.migrated);

    let appendedThisRun = 0;
    let complete = false;
    for (;;) {
      if (options.signal?.aborted) break;
      let limit = options.batchSize;
      if (options.maxEvents !== undefined) {
        limit = Math.min(limit, options.maxEvents - appendedThisRun);
        if (limit <= 0) break;
      }
      const page = await options.source.readAll({ after: cursor.sourceAfter, maxCount: limit });
      const lastEvent = page.at(-1);
      if (lastEvent === undefined) {
        complete = true;
        break;
      }
      const runs = splitIntoRuns(page, options.maxAppendBytes);
      const results = await this.appendRuns(this.rewrite ? this.rewrite.cutAtNamedEvents(runs) : runs);
      cursor.sourceAfter = lastEvent.position;
      cursor.targetAfter = results.at(-1)?.position ?? cursor.targetAfter;
      cursor.migrated += page.length;
      cursor.recent = [...cursor.recent, ...page.slice(-RECENT_EVENTS_KEPT).map(refOf)].slice(-RECENT_EVENTS_KEPT);
      appendedThisRun += page.length;
      this.save(cursor);
      options.onProgress?.(cursor.migrated);
    }
    const checkpointsRewritten = this.rewrite?.rewritten ?? 0;
    return { complete, eventsMigrated: cursor.migrated, appendedThisRun, foundInTarget, resumed, checkpointsRewritten };
  }

  /** Where the last run got to, after proving that source and target still hold its last events. */
  private async startingCursor(): Promise<Cursor> {
    const { options } = this;
    const fresh: Cursor = { sourceAfter: 'start', targetAfter: 'start', migrated: 0, recent: [] };
    const loaded = loadCheckpoint(options.checkpointPath);
    if (loaded.kind === 'none') return fresh;
    if (loaded.kind === 'unreadable') {
      // Safe to ignore: the whole target is then compared with the source instead.
      options.log(
        `ignoring unreadable checkpoint ${options.checkpointPath} (${loaded.reason}); comparing the target from its start`,
      );
      return fresh;
    }
    const checkpoint = loaded.checkpoint;
    for (const ref of checkpoint.recent) {
      const inSource = await eventAt(options.source, ref);
      if (!inSource || !sameEventId(inSource.id, ref.id)) {
        throw new CliFailure(
          `checkpoint ${options.checkpointPath} names ${describe(ref)}, which this source ledger does not have: ` +
            'it belongs to another ledger. Delete it to compare the target from its start.',
        );
      }
      const inTarget = await eventAt(options.target, ref);
      if (!inTarget || !sameEventId(inTarget.id, ref.id)) {
        throw new CliFailure(
          `the target no longer holds ${describe(ref)}, which checkpoint ${options.checkpointPath} says was migrated ` +
            `(target has ${inTarget ? `id ${inTarget.id}` : 'no such event'}). Was the target reset? ` +
            'Migrate into an empty target, after deleting the checkpoint.',
        );
      }
    }
    options.log(
      `resuming: ${checkpoint.eventsMigrated} event(s) already migrated (checkpoint ${options.checkpointPath}, last ${checkpoint.recent.length} re-checked by id)`,
    );
    return {
      sourceAfter: BigInt(checkpoint.sourcePosition),
      targetAfter: BigInt(checkpoint.targetPosition),
      migrated: checkpoint.eventsMigrated,
      recent: checkpoint.recent,
    };
  }

  /**
   * The target may hold more than the checkpoint says (a run killed between an
   * append and its checkpoint, or no checkpoint at all). Whatever it holds
   * after the cursor must be exactly the source's next events, in order; they
   * are skipped. Anything else means the target is not a copy of this source.
   */
  private async skipWhatTheTargetHas(cursor: Cursor): Promise<number> {
    const { source, target, batchSize } = this.options;
    let found = 0;
    for (;;) {
      const inTarget = await target.readAll({ after: cursor.targetAfter, maxCount: batchSize });
      if (inTarget.length === 0) return found;
      const inSource = await source.readAll({ after: cursor.sourceAfter, maxCount: inTarget.length });
      for (const [i, t] of inTarget.entries()) {
        const s = inSource[i];
        if (!s || !sameEvent(s, t)) {
          throw new CliFailure(
            `the target diverges from the source: its event ${describe(t)} ` +
              (s ? `stands where the source has ${describe(s)}` : 'is not in the source') +
              `. Migrate into an empty target${found + cursor.migrated > 0 ? ' (or the one this migration started)' : ''}.`,
          );
        }
        this.rewrite?.alreadyCopied(s, t);
        cursor.sourceAfter = s.position;
        cursor.targetAfter = t.position;
        cursor.migrated++;
        cursor.recent = [...cursor.recent, refOf(s)].slice(-RECENT_EVENTS_KEPT);
        found++;
      }
    }
  }

  private async appendRuns(all: RecordedEvent[][]): Promise<AppendResult[]> {
    const runs = all.filter(hasEvents);
    // A rewrite translates a checkpoint only after the events it names are in: one append at a time.
    if (this.options.pipelineAppends && !this.rewrite) {
      const settled = await Promise.allSettled(runs.map((run) => this.appendRun(run)));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      return settled.map((s) => (s as PromiseFulfilledResult<AppendResult>).value);
    }
    const results: AppendResult[] = [];
    for (const run of runs) results.push(await this.appendRun(run));
    return results;
  }

  private async appendRun(run: RunOfEvents): Promise<AppendResult> {
    const [first] = run;
    try {
      const result = await this.options.target.appendToStream(
        first.streamName,
        this.rewrite ? this.rewrite.toAppend(run) : run.map(asAppended),
        { expectedRevision: first.revision === 0n ? NO_STREAM : first.revision - 1n },
      );
      this.rewrite?.appended(run, result.position);
      return result;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new CliFailure(
          `cannot append ${describe(first)} to the target: its stream is at revision ${String(error.actual)}, ` +
            `expected ${String(error.expected)}. Something else is writing to the target; stop it and run migrate again.`,
        );
      }
      if (error instanceof AppendTooLargeError) {
        throw new CliFailure(
          `the target refused ${run.length} event(s) from ${describe(first)} as one append too large ` +
            `(its limit: ${error.maxAppendSize ?? 'unknown'} bytes). Run migrate again with a smaller --batch-size.`,
        );
      }
      throw error;
    }
  }

  private save(cursor: Cursor): void {
    if (cursor.sourceAfter === 'start' || cursor.targetAfter === 'start') return;
    const checkpoint: MigrationCheckpoint = {
      version: 1,
      target: this.options.targetDescription,
      sourcePosition: cursor.sourceAfter.toString(),
      targetPosition: cursor.targetAfter.toString(),
      eventsMigrated: cursor.migrated,
      recent: cursor.recent,
      updatedAt: new Date().toISOString(),
    };
    saveCheckpoint(this.options.checkpointPath, checkpoint);
  }
}
