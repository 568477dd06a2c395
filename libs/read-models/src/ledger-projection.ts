import { NO_STREAM, passesFilter } from '@keyledger/event-store';
import { USAGE_TRACKING_STREAM } from '@keyledger/ledger';
import type { EventStore, RecordedEvent, Subscription, SubscriptionHandler } from '@keyledger/event-store';
import type { KeyStateCache } from '@keyledger/key-store';
import {
  readProjectionSnapshot,
  removeProjectionSnapshot,
  writeProjectionSnapshot,
  type ProjectedContents,
} from './projection-snapshot.js';
import { LastUseIndex } from './last-use-index.js';
import type { SnapshotSeal } from './snapshot-seal.js';
import type { TimeIndex } from './time-index.js';
import { PROJECTED_STREAMS } from './projected-streams.js';

export interface LedgerProjectionOptions {
  /** Where the snapshot (its stored checkpoint) lives; none: replay from the start every time. */
  snapshotFile?: string;
  /** Write a snapshot after this many events applied since the last one (besides at stop). */
  snapshotEvery?: number;
  /** Required with snapshotFile: a snapshot is taken only if authentic and made from this store. */
  snapshotSeal?: SnapshotSeal;
  /**
   * Called with each event committed after the catch-up, once the cache holds
   * it: the feed of the reactions (the app's event bus). Replayed history is
   * not fed, so reactions never redo what was done before the start.
   */
  onLiveEvent?: (event: RecordedEvent) => void;
  /** Each key's last use, fed from the usage the live subscription delivers and kept in the snapshot. */
  lastUses?: LastUseIndex;
}

/** Events read per page of what the subscription had not delivered at stop. */
const TAIL_PAGE = 4096;

/**
 * Feeds the write side's KeyStateCache and the ledger API's TimeIndex from the
 * store's subscription to all events, never from the in-process EventBus: what
 * another process (or another server on the same EventStoreDB) appends reaches
 * them too, in order, and nothing is lost. Its checkpoint is a snapshot of both
 * with the position they are exact as of: a restart loads it and subscribes
 * from there.
 *
 * The catch-up reads with PROJECTED_STREAMS, so a month of usage costs a start next to nothing; then a live
 * subscription from where the catch-up passed delivers every event, as the reactions (onLiveEvent: checkpoint
 * rounds, lag) need every append, usage flushes included. `position` is how far the log has been passed;
 * the snapshot keeps the last event the cache and index took, which a restart can check is still there.
 */
export class LedgerProjection {
  private subscription: Subscription | undefined;
  private catchUpEnded: Promise<void> | undefined;
  /** How far the log has been passed: the last event delivered, or past a left-out tail. */
  private passedPosition: bigint | 'start' = 'start';
  // The last event taken (one PROJECTED_STREAMS lets through), the one taken before it, and its id: the snapshot's.
  private lastPosition: bigint | 'start' = 'start';
  private previousPosition: bigint | 'start' = 'start';
  private lastEventId = '';
  private sinceSnapshot = 0;
  private failure: Error | undefined;
  private restoredFrom: bigint | undefined;
  private compactionFailure: Error | undefined;
  private ignoredSnapshot: string | undefined;
  /** Where the snapshot left the log passed; it is rewritten at stop when the log was passed further. */
  private snapshotPassed: bigint | 'start' = 'start';
  private readonly lastUses: LastUseIndex;

  constructor(
    private readonly store: EventStore,
    private readonly cache: KeyStateCache,
    private readonly times: TimeIndex,
    private readonly options: LedgerProjectionOptions = {},
  ) {
    if (options.snapshotFile && !options.snapshotSeal) throw new TypeError('snapshotFile needs a snapshotSeal');
    this.lastUses = options.lastUses ?? new LastUseIndex();
  }

  /** Why a snapshot found at start was not used (the projection replayed instead), if one was refused. */
  get snapshotIgnored(): string | undefined {
    return this.ignoredSnapshot;
  }

  /** Resolves once every event committed before the call has been applied. */
  async start(): Promise<void> {
    await this.restore();
    await new Promise<void>((resolve, reject) => {
      const catchUp = this.store.subscribeToAll(
        { after: this.lastPosition, filter: PROJECTED_STREAMS },
        {
          onEvent: (event) => void this.take(event),
          onCheckpoint: (position) => this.pass(position),
          onCaughtUp: () => {
            // Called from the catch-up's own loop: it delivers nothing after this.
            this.catchUpEnded = catchUp.unsubscribe();
            this.subscription = this.store.subscribeToAll({ after: this.passedPosition }, this.live());
            this.compactAfterLongCatchUp();
            resolve();
          },
          onError: (error) => {
            this.failure = error;
            reject(error);
          },
        },
      );
      this.subscription = catchUp;
    });
    await this.settleLastUses();
  }

  /**
   * The catch-up left usage out, so what the last uses know depends on what it passed. From a snapshot that
   * had passed everything the catch-up found, they are whole as saved; past it, usage may have gone by
   * unseen, and each key is learnt again from its stream. A log that holds no usage tracking holds no usage
   * (the recorder writes its start before any batch): every key is known unused.
   */
  private async settleLastUses(): Promise<void> {
    const restored = this.restoredFrom !== undefined;
    if (restored && this.snapshotPassed !== this.passedPosition) this.lastUses.forgetCompleteness();
    else if (!restored && (await this.store.streamRevision(USAGE_TRACKING_STREAM)) === NO_STREAM)
      this.lastUses.markWhole();
  }

  /** After the catch-up: every event, the cache and index taking those they read, the reactions fed with all. */
  private live(): SubscriptionHandler {
    return {
      onEvent: (event) => {
        // Live only: rewriting the whole snapshot every N events of a replay is what
        // made a first start slow. One snapshot follows the catch-up instead.
        if (this.take(event) && this.sinceSnapshot >= (this.options.snapshotEvery ?? Number.POSITIVE_INFINITY))
          this.snapshot();
        this.options.onLiveEvent?.(event);
      },
      onError: (error) => {
        this.failure = error;
      },
    };
  }

  /** Applies an event the cache and index read; passes one they do not. Says whether it was taken. */
  private take(event: RecordedEvent): boolean {
    this.pass(event.position);
    if (!passesFilter(event.streamName, PROJECTED_STREAMS)) {
      this.lastUses.applyRecorded(event);
      return false;
    }
    this.cache.applyRecorded(event);
    this.times.applyRecorded(event);
    this.previousPosition = this.lastPosition;
    this.lastPosition = event.position;
    this.lastEventId = event.id;
    this.sinceSnapshot++;
    return true;
  }

  private pass(position: bigint): void {
    if (this.passedPosition === 'start' || position > this.passedPosition) this.passedPosition = position;
  }

  /** Why the projection stopped following the store, if its subscription ended with an error: it is then stale. */
  get subscriptionFailure(): Error | undefined {
    return this.failure;
  }

  /** How far the projection has followed the log: past every event up to here, including those it does not read. */
  get position(): bigint | 'start' {
    return this.passedPosition;
  }

  /** The position the projection was restored from at start, if it started from a snapshot. */
  get restoredPosition(): bigint | undefined {
    return this.restoredFrom;
  }

  /** Why the snapshot after a long catch-up could not be written, if it could not; the cache serves regardless. */
  get snapshotFailure(): Error | undefined {
    return this.compactionFailure;
  }

  /** Stops the subscription and leaves a snapshot for the next start. */
  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    await this.catchUpEnded;
    this.subscription = undefined;
    if (!this.failure && this.passedPosition !== 'start') {
      // Best effort: without the tail the snapshot is as good as before, the next start learns it again.
      await this.takeTail().catch(() => undefined);
    }
    if (this.sinceSnapshot > 0 || this.passedPosition !== this.snapshotPassed) this.snapshot();
  }

  /**
   * What was committed but not yet delivered when the subscription stopped (a last usage flush at shutdown):
   * taken now, so the snapshot has passed the whole log and the next start keeps its last uses.
   */
  private async takeTail(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after: this.passedPosition, maxCount: TAIL_PAGE });
      for (const event of page) this.take(event);
      if (page.length < TAIL_PAGE) return;
    }
  }

  /**
   * After a long catch-up (snapshotEvery events or more), writes the snapshot
   * that lets the next start skip it, and takes the cache and index back from it. A replay
   * leaves every key's fold scattered over heap pages that its earlier states
   * went through: 479 MB of heap holding 223 MB after 600,000 events, where the
   * same cache read from its snapshot fits in 288 MB. Rebuilt, the scattered
   * copy dies whole and its pages go back. Synchronous, so no event lands
   * between the write and the read. A failed write leaves them as they are.
   */
  private compactAfterLongCatchUp(): void {
    const file = this.options.snapshotFile;
    if (!file || this.sinceSnapshot < (this.options.snapshotEvery ?? Number.POSITIVE_INFINITY)) return;
    try {
      this.snapshot();
    } catch (error) {
      this.compactionFailure = error instanceof Error ? error : new Error(String(error));
      return;
    }
    const written = readProjectionSnapshot(file, this.options.snapshotSeal!);
    if (written && written.position === this.lastPosition) this.restoreContents(written.contents);
  }

  /** Writes the cache, the time index and the position it is exact as of. */
  snapshot(): void {
    const file = this.options.snapshotFile;
    if (!file || this.lastPosition === 'start' || this.passedPosition === 'start' || this.failure) return;
    writeProjectionSnapshot(
      file,
      {
        position: this.lastPosition,
        previousPosition: this.previousPosition,
        eventId: this.lastEventId,
        passedPosition: this.passedPosition,
        contents: { ...this.cache.contents(), times: this.times.contents(), lastUses: this.lastUses.contents() },
      },
      this.options.snapshotSeal!,
    );
    this.sinceSnapshot = 0;
    this.snapshotPassed = this.passedPosition;
  }

  /**
   * Loads the snapshot, if there is one and the store still holds the event it
   * was taken at: a store restored from an older backup, or a different store,
   * makes the snapshot worthless, and then the projection replays from the start.
   */
  private async restore(): Promise<void> {
    const file = this.options.snapshotFile;
    if (!file) return;
    const snapshot = readProjectionSnapshot(file, this.options.snapshotSeal!, (why) => (this.ignoredSnapshot = why));
    if (!snapshot) return;
    // The event taken after the one taken before it: events the projection does not read may lie between.
    const [atPosition] = await this.store.readAll({
      after: snapshot.previousPosition,
      maxCount: 1,
      filter: PROJECTED_STREAMS,
    });
    if (!atPosition || atPosition.position !== snapshot.position || atPosition.id !== snapshot.eventId) {
      this.ignoredSnapshot = `${file} was made at position ${snapshot.position}, where this store does not hold event ${snapshot.eventId}`;
      removeProjectionSnapshot(file);
      return;
    }
    this.restoreContents(snapshot.contents);
    this.lastPosition = snapshot.position;
    this.previousPosition = snapshot.previousPosition;
    this.lastEventId = snapshot.eventId;
    this.passedPosition = snapshot.passedPosition;
    this.snapshotPassed = snapshot.passedPosition;
    this.restoredFrom = snapshot.position;
  }

  private restoreContents(contents: ProjectedContents): void {
    this.cache.restore(contents);
    this.times.restore(contents.times);
    this.lastUses.restore(contents.lastUses);
  }
}
