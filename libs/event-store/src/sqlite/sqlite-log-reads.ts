import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { RecordedEvent, RecordedEventJson } from '../event-store.port.js';
import type { StreamFilter } from '../stream-filter.js';
import {
  COLUMNS,
  toLimit,
  toRecordedEvent,
  toRecordedEventJson,
  type EventJsonRow,
  type EventRow,
} from './sqlite-rows.js';

/** A page of the log and, for a filtered read, how far it looked: every event up to `passed` is in it or left out. */
export interface LogPage {
  events: RecordedEvent[];
  /** Undefined when the page is full: what follows it is not known yet. */
  passed: bigint | undefined;
}

/**
 * The embedded store's reads of the whole log, in position order. A filtered read leaves out the streams of
 * some categories (StreamFilter) without reading their rows: the (position, category) index (schema v2) is
 * walked in position order, a few bytes an event, and only the rows kept are fetched by position. One
 * statement per number of excluded categories, prepared on first use.
 */
export class SqliteLogReads {
  private readonly statements = new Map<number, Statement>();
  private readonly selectHead: Statement;
  private readonly selectAfter: Statement;
  private readonly selectJsonAfter: Statement;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly file: string,
  ) {
    this.selectHead = db.prepare('SELECT MAX(position) FROM events').pluck();
    this.selectAfter = db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`)
      .raw();
    this.selectJsonAfter = db
      .prepare(
        'SELECT position, stream, revision, type, data, metadata FROM events WHERE position > ? ORDER BY position ASC LIMIT ?',
      )
      .raw();
  }

  /** Up to maxCount events after `after`; with a filter, only those it keeps, and how far the read looked. */
  page(after: number, maxCount: number | undefined, filter?: StreamFilter): LogPage {
    if (filter && filter.excludeCategories.length > 0) return this.readPassing(after, toLimit(maxCount), filter);
    const rows = this.selectAfter.all(after, toLimit(maxCount)) as EventRow[];
    return { events: rows.map((row) => toRecordedEvent(row, this.file)), passed: undefined };
  }

  /** Every event after `after`, up to maxCount, its data and metadata as the stored JSON text. */
  json(after: number, maxCount: number | undefined): RecordedEventJson[] {
    return (this.selectJsonAfter.all(after, toLimit(maxCount)) as EventJsonRow[]).map(toRecordedEventJson);
  }

  /** The last committed position, 0 when there is none. */
  head(): number {
    return (this.selectHead.get() as number | null) ?? 0;
  }

  /**
   * Up to maxCount kept events after `after`, and, when they are fewer, the head read just before them: the
   * bound makes "everything up to it was passed" true even if another process commits in between.
   */
  private readPassing(after: number, maxCount: number, filter: StreamFilter): LogPage {
    const head = this.head();
    const events = this.rows(after, head, maxCount, filter);
    const full = maxCount >= 0 && events.length >= maxCount;
    return { events, passed: !full && head > after ? BigInt(head) : undefined };
  }

  private rows(after: number, upTo: number, limit: number, filter: StreamFilter): RecordedEvent[] {
    const excluded = filter.excludeCategories;
    const rows = this.statement(excluded.length).all(after, upTo, ...excluded, limit) as EventRow[];
    return rows.map((row) => toRecordedEvent(row, this.file));
  }

  private statement(excludedCount: number): Statement {
    let statement = this.statements.get(excludedCount);
    if (!statement) {
      const columns = COLUMNS.split(', ')
        .map((column) => `e.${column}`)
        .join(', ');
      const placeholders = Array.from({ length: excludedCount }, () => '?').join(', ');
      // The inner query reads the index only; the join fetches the kept rows. A stream with no category
      // (NULL) is kept: coalesce makes it '', which no filter names (validateStreamFilter).
      statement = this.db
        .prepare(
          `SELECT ${columns} FROM (SELECT position AS p FROM events INDEXED BY events_by_position_category ` +
            `WHERE position > ? AND position <= ? AND coalesce(category, '') NOT IN (${placeholders}) ` +
            `ORDER BY position LIMIT ?) AS kept JOIN events AS e ON e.position = kept.p ORDER BY kept.p`,
        )
        .raw();
      this.statements.set(excludedCount, statement);
    }
    return statement;
  }
}
