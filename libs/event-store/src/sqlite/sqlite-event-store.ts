import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as SqliteDatabase, type Statement } from 'better-sqlite3';
import {
  prepareAppend,
  validateExpectedRevision,
  validateStreamName,
  type PreparedEvent,
} from '../append-validation.js';
import {
  ANY,
  EventStoreError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  sameEventId,
} from '../event-store.port.js';
import type {
  AppendResult,
  CurrentRevision,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllJsonOptions,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  RecordedEventJson,
  StoreIdentity,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port.js';
import { validateStreamFilter, type StreamFilter } from '../stream-filter.js';
import { SqliteLogReads, type LogPage } from './sqlite-log-reads.js';
import {
  COLUMNS,
  isConstraintViolation,
  toLimit,
  toRecordedEvent,
  translateSqliteError,
  type EventRow,
} from './sqlite-rows.js';
import { migrateSchema, storeId } from './sqlite-schema.js';
import { SqliteSubscription } from './sqlite-subscription.js';

/** readAll's page size when the caller gives no maxCount. */
export const DEFAULT_READ_ALL_MAX_COUNT = 4096;

interface PendingAppend {
  streamName: string;
  events: PreparedEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: Error): void;
}

type Outcome = AppendResult | Error;

/**
 * The embedded event store: one SQLite file, WAL, synchronous=FULL.
 *
 * Appends are group-committed: every appendToStream call made in the same
 * event-loop turn is queued and applied in one BEGIN IMMEDIATE transaction on
 * the next turn (setImmediate), each append checked on its own against its
 * expected revision, so a conflicting one fails alone and writes nothing. No
 * promise settles before COMMIT has returned, and with synchronous=FULL a
 * returned COMMIT is on disk.
 *
 * Subscriptions are woken by an in-process notifier after each commit and then
 * read the table from their own position, so the wake-up carries no data that
 * could be lost or duplicated. Another process writing to the same file is safe
 * (BEGIN IMMEDIATE serialises writers, the busy timeout waits for the lock) but
 * does not wake this process's subscribers until this process commits something.
 *
 * Sending the same event ids again at the same expected revision (a retry whose first
 * answer was lost) succeeds with the first append's result and writes nothing, as on
 * EventStoreDB; any other reuse of an event id is
 * rejected with InvalidAppendError. Made by `new SqliteEventStore(file)` (or createEventStore).
 */
export class SqliteEventStore implements EventStore {
  private readonly db: SqliteDatabase;
  private readonly beginImmediate: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;
  private readonly savepoint: Statement;
  private readonly releaseSavepoint: Statement;
  private readonly rollbackToSavepoint: Statement;
  private readonly insertEvent: Statement;
  private readonly selectLastRevision: Statement;
  private readonly selectStreamForwards: Statement;
  private readonly selectStreamBackwards: Statement;
  private readonly selectIdsFrom: Statement;
  private readonly log: SqliteLogReads;
  private readonly identity: StoreIdentity;

  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private wakeScheduled = false;
  private readonly commitWaiters = new Set<() => void>();
  private readonly subscriptions = new Set<SqliteSubscription>();
  private closed = false;

  constructor(readonly filePath: string) {
    mkdirSync(dirname(filePath), { recursive: true });
    // Owner-only, like the vault: the ledger names every key, alias, principal and source address.
    // SQLite gives its -wal and -shm files the mode of this one.
    closeSync(openSync(filePath, 'a', 0o600));
    // The busy timeout only matters when another process holds the write lock.
    this.db = new Database(filePath, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    migrateSchema(this.db, filePath);
    this.identity = { engine: 'sqlite', id: storeId(this.db) };

    this.beginImmediate = this.db.prepare('BEGIN IMMEDIATE');
    this.commit = this.db.prepare('COMMIT');
    this.rollback = this.db.prepare('ROLLBACK');
    this.savepoint = this.db.prepare('SAVEPOINT append_one');
    this.releaseSavepoint = this.db.prepare('RELEASE append_one');
    this.rollbackToSavepoint = this.db.prepare('ROLLBACK TO append_one');
    this.insertEvent = this.db.prepare(
      'INSERT INTO events (stream, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectLastRevision = this.db
      .prepare('SELECT revision FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1')
      .pluck();
    this.selectStreamForwards = this.db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`)
      .raw();
    this.selectStreamBackwards = this.db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`)
      .raw();
    this.selectIdsFrom = this.db
      .prepare('SELECT position, id FROM events WHERE stream = ? AND revision >= ? ORDER BY revision ASC LIMIT ?')
      .raw();
    this.log = new SqliteLogReads(this.db, filePath);
  }

  /** The pragmas in effect on this connection (for tests and diagnostics). */
  pragmas(): { journalMode: string; synchronous: number } {
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.db.pragma('synchronous', { simple: true }) as number,
    };
  }

  appendToStream(
    streamName: string,
    events: EventToAppend[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    let prepared: PreparedEvent[];
    const expected = options?.expectedRevision ?? ANY;
    try {
      if (this.closed) throw new EventStoreError('Event store is closed');
      validateExpectedRevision(expected);
      prepared = prepareAppend(streamName, events);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamName, events: prepared, expected, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let settled: Array<{ pending: PendingAppend; outcome: Outcome }>;
    const recordedAt = Date.now();
    const isolate = batch.length > 1;
    let committed = false;
    try {
      this.beginImmediate.run();
      try {
        settled = batch.map((pending) => ({ pending, outcome: this.applyOne(pending, recordedAt, isolate) }));
        this.commit.run();
        committed = true;
      } finally {
        if (!committed && this.db.inTransaction) this.rollback.run();
      }
    } catch (error) {
      const failure = translateSqliteError(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    let anyWritten = false;
    for (const { pending, outcome } of settled) {
      if (outcome instanceof Error) pending.reject(outcome);
      else {
        anyWritten = true;
        pending.resolve(outcome);
      }
    }
    // Subscribers read what was committed one turn later: the appenders' own
    // continuations (a response waiting on this commit) go first.
    if (anyWritten && !this.wakeScheduled) {
      this.wakeScheduled = true;
      setImmediate(this.wakeSubscribers);
    }
  };

  private readonly wakeSubscribers = (): void => {
    this.wakeScheduled = false;
    this.notifyCommitted();
  };

  /**
   * Applies one append inside the open transaction. A conflict or a duplicate id
   * is returned as that append's outcome, not thrown, so the rest of the batch
   * still commits; any other error is thrown and fails the whole batch. A failed
   * INSERT undoes itself (statement-level abort), so only a multi-event append
   * sharing a batch needs a savepoint to undo its earlier inserts; a lone append's
   * failure rolls back the whole (otherwise empty) transaction.
   */
  private applyOne(pending: PendingAppend, recordedAt: number, isolate: boolean): Outcome {
    const last = this.selectLastRevision.get(pending.streamName) as number | undefined;
    const actual: CurrentRevision = last === undefined ? NO_STREAM : BigInt(last);
    const expected = pending.expected;
    const conflict =
      expected === NO_STREAM
        ? last !== undefined
        : expected === STREAM_EXISTS
          ? last === undefined
          : expected === ANY
            ? false
            : last === undefined || BigInt(last) !== expected;
    if (conflict)
      return this.sameAppendAgain(pending) ?? new WrongExpectedVersionError(pending.streamName, expected, actual);

    const savepoint = isolate && pending.events.length > 1;
    if (savepoint) this.savepoint.run();
    try {
      let revision = last === undefined ? -1 : last;
      let position: number | bigint = 0;
      for (const event of pending.events) {
        revision++;
        position = this.insertEvent.run(
          pending.streamName,
          revision,
          event.id,
          event.type,
          event.dataJson,
          event.metadataJson,
          recordedAt,
        ).lastInsertRowid;
      }
      if (savepoint) this.releaseSavepoint.run();
      return { nextExpectedRevision: BigInt(revision), position: BigInt(position) };
    } catch (error) {
      if (!isolate || !isConstraintViolation(error)) throw error;
      if (savepoint) {
        this.rollbackToSavepoint.run();
        this.releaseSavepoint.run();
      }
      return translateSqliteError(error);
    }
  }

  /**
   * A conflicting append whose events already follow its expected revision,
   * id for id, is a retry of an append that succeeded: its result again.
   */
  private sameAppendAgain(pending: PendingAppend): AppendResult | undefined {
    const expected = pending.expected;
    if (expected !== NO_STREAM && typeof expected !== 'bigint') return undefined;
    const from = expected === NO_STREAM ? 0 : Number(expected) + 1;
    const rows = this.selectIdsFrom.all(pending.streamName, from, pending.events.length) as [number, string][];
    const last = rows.at(-1);
    if (last === undefined || rows.length !== pending.events.length) return undefined;
    if (!pending.events.every((event, i) => sameEventId(rows[i]?.[1] ?? '', event.id))) return undefined;
    return { nextExpectedRevision: BigInt(from + rows.length - 1), position: BigInt(last[0]) };
  }

  private notifyCommitted(): void {
    if (this.commitWaiters.size === 0) return;
    const waiters = [...this.commitWaiters];
    this.commitWaiters.clear();
    for (const wake of waiters) wake();
  }

  /** @internal Registers a one-shot wake-up for the next commit; returns its canceller. */
  onNextCommit(wake: () => void): () => void {
    this.commitWaiters.add(wake);
    return () => this.commitWaiters.delete(wake);
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateStreamName(streamName);
    const direction = options.direction ?? 'forwards';
    const limit = toLimit(options.maxCount);
    let rows: EventRow[];
    if (direction === 'forwards') {
      const from = options.fromRevision ?? 'start';
      rows =
        from === 'end'
          ? []
          : (this.selectStreamForwards.all(streamName, from === 'start' ? 0 : Number(from), limit) as EventRow[]);
    } else {
      const from = options.fromRevision ?? 'end';
      const fromRevision = from === 'end' ? Number.MAX_SAFE_INTEGER : from === 'start' ? 0 : Number(from);
      rows = this.selectStreamBackwards.all(streamName, fromRevision, limit) as EventRow[];
    }
    if (rows.length === 0 && this.selectLastRevision.get(streamName) === undefined) {
      throw new StreamNotFoundError(streamName);
    }
    return rows.map((row) => toRecordedEvent(row, this.filePath));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateStreamFilter(options.filter);
    const after = options.after === undefined || options.after === 'start' ? 0 : Number(options.after);
    return this.log.page(after, options.maxCount ?? DEFAULT_READ_ALL_MAX_COUNT, options.filter).events;
  }

  /** @internal Synchronous so a subscription can read and register for the next commit with nothing in between. */
  readAllSync(after: bigint | 'start', maxCount: number, filter?: StreamFilter): LogPage {
    return this.log.page(after === 'start' ? 0 : Number(after), maxCount, filter);
  }

  async readAllJson(options: ReadAllJsonOptions = {}): Promise<RecordedEventJson[]> {
    this.assertOpen();
    const after = options.after === undefined || options.after === 'start' ? 0 : Number(options.after);
    return this.log.json(after, options.maxCount ?? DEFAULT_READ_ALL_MAX_COUNT);
  }

  async streamRevision(streamName: string): Promise<CurrentRevision> {
    this.assertOpen();
    validateStreamName(streamName);
    const last = this.selectLastRevision.get(streamName) as number | undefined;
    return last === undefined ? NO_STREAM : BigInt(last);
  }

  async storeIdentity(): Promise<StoreIdentity> {
    this.assertOpen();
    return this.identity;
  }

  /** Positions are the rowid, dense from 1: the head is also the number of events. */
  async headPosition(): Promise<bigint | 'start'> {
    const head = this.log.head();
    return head === 0 ? 'start' : BigInt(head);
  }

  /** The file is local: open means reachable. */
  async checkConnection(): Promise<void> {
    this.assertOpen();
  }

  subscribeToAll(options: SubscribeToAllOptions, handler: SubscriptionHandler): Subscription {
    this.assertOpen();
    validateStreamFilter(options.filter);
    const subscription = new SqliteSubscription(this, options.after ?? 'start', options.filter, handler, (s) =>
      this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Settle appends already accepted before refusing new ones.
    if (this.queue.length > 0) this.flush();
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.unsubscribe()));
    this.notifyCommitted();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('Event store is closed');
  }
}
