import type { Database as SqliteDatabase, Statement, Transaction } from 'better-sqlite3';
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
  /** Undefined when the page is full (what follows it is not known yet) or for a read without a filter. */
  passed: bigint | undefined;
}

/** SQLite's limit on the terms of a compound SELECT is 500; beyond this many kept categories, a plain scan. */
const MAX_MERGED_CATEGORIES = 400;
const PREFIXED_COLUMNS = COLUMNS.split(', ')
  .map((column) => `e.${column}`)
  .join(', ');

/**
 * The embedded store's reads of the whole log, in position order. A filtered read takes the categories
 * the log holds (a few index seeks), keeps those the filter does not name, and merges their ranges of the
 * category index (schema v2), each bounded by the page size, so the rows of the categories left out are
 * never visited. The categories, the head and the page are read in one read transaction: a category first
 * committed by another process in between cannot be missed.
 */
export class SqliteLogReads {
  private readonly merged = new Map<number, Statement>();
  private readonly selectHead: Statement;
  private readonly selectAfter: Statement;
  private readonly selectBetween: Statement;
  private readonly selectJsonAfter: Statement;
  private readonly selectNextCategory: Statement;
  private readonly snapshot: Transaction<(read: () => LogPage) => LogPage>;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly file: string,
  ) {
    this.selectHead = db.prepare('SELECT MAX(position) FROM events').pluck();
    this.selectAfter = db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`)
      .raw();
    this.selectBetween = db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position ASC LIMIT ?`)
      .raw();
    this.selectJsonAfter = db
      .prepare(
        'SELECT position, stream, revision, type, data, metadata FROM events WHERE position > ? ORDER BY position ASC LIMIT ?',
      )
      .raw();
    this.selectNextCategory = db
      .prepare('SELECT category FROM events INDEXED BY events_by_category WHERE category > ? ORDER BY category LIMIT 1')
      .pluck();
    this.snapshot = db.transaction((read: () => LogPage) => read());
  }

  /** The last committed position, 0 when there is none. */
  head(): number {
    return (this.selectHead.get() as number | null) ?? 0;
  }

  /**
   * Up to maxCount events after `after`. With a filter, only those it keeps, and, when they are fewer than
   * maxCount, `passed`: the head, read in the same transaction, so everything up to it was looked at.
   */
  page(after: number, maxCount: number | undefined, filter?: StreamFilter): LogPage {
    const limit = toLimit(maxCount);
    if (!filter || filter.excludeCategories.length === 0) {
      const rows = this.selectAfter.all(after, limit) as EventRow[];
      return { events: rows.map((row) => toRecordedEvent(row, this.file)), passed: undefined };
    }
    return this.snapshot(() => {
      const head = this.head();
      const categories = this.categories();
      const kept = categories.filter((category) => !filter.excludeCategories.includes(category));
      // Nothing in the log to leave out (a ledger without usage): the table in order is the same rows, read
      // without the category index and the join back to the table, at about half the CPU per row.
      const rows =
        // Stryker disable next-line ConditionalExpression: the merged read of every category finds the same rows
        kept.length === categories.length
          ? (this.selectBetween.all(after, head, limit) as EventRow[])
          : this.keptRows(after, head, limit, kept);
      const full = limit >= 0 && rows.length >= limit;
      const events = rows.map((row) => toRecordedEvent(row, this.file));
      return { events, passed: !full && head > after ? BigInt(head) : undefined };
    });
  }

  /** Every event after `after`, up to maxCount, its data and metadata as the stored JSON text. */
  json(after: number, maxCount: number | undefined): RecordedEventJson[] {
    return (this.selectJsonAfter.all(after, toLimit(maxCount)) as EventJsonRow[]).map(toRecordedEventJson);
  }

  /** The categories in the log, one index seek each ('' is below every category: none is empty). */
  private categories(): string[] {
    const found: string[] = [];
    for (let next = this.selectNextCategory.get('') as string | undefined; next !== undefined;) {
      found.push(next);
      next = this.selectNextCategory.get(next) as string | undefined;
    }
    return found;
  }

  /** The rows of streams with no category or one of `kept`, after `after` and up to `upTo`, in order. */
  private keptRows(after: number, upTo: number, limit: number, kept: string[]): EventRow[] {
    if (kept.length > MAX_MERGED_CATEGORIES) return this.scanRows(after, upTo, limit, kept);
    const args: Array<string | number> = [after, upTo, limit];
    for (const category of kept) args.push(category, after, upTo, limit);
    return this.mergedStatement(kept.length).all(...args, limit) as EventRow[];
  }

  private mergedStatement(keptCount: number): Statement {
    let statement = this.merged.get(keptCount);
    if (!statement) {
      // Each branch is an index range bounded by the page size; UNION ALL merges them in position order.
      const branch = (category: string) =>
        `SELECT p FROM (SELECT position AS p FROM events INDEXED BY events_by_category WHERE ${category} ` +
        `AND position > ? AND position <= ? ORDER BY position LIMIT ?)`;
      const branches = [branch('category IS NULL'), ...Array.from({ length: keptCount }, () => branch('category = ?'))];
      statement = this.db
        .prepare(
          `SELECT ${PREFIXED_COLUMNS} FROM (${branches.join(' UNION ALL ')} ORDER BY p LIMIT ?) AS kept ` +
            'JOIN events AS e ON e.position = kept.p ORDER BY kept.p',
        )
        .raw();
      this.merged.set(keptCount, statement);
    }
    return statement;
  }

  /** Too many categories to merge: the log in order, keeping the rows whose category is kept. */
  private scanRows(after: number, upTo: number, limit: number, kept: string[]): EventRow[] {
    const rows: EventRow[] = [];
    const keep = new Set(kept);
    const scan = this.db
      .prepare(`SELECT ${COLUMNS}, category FROM events WHERE position > ? AND position <= ? ORDER BY position`)
      .raw()
      .iterate(after, upTo) as IterableIterator<[...EventRow, string | null]>;
    for (const row of scan) {
      if (row[8] !== null && !keep.has(row[8])) continue;
      rows.push(row.slice(0, 8) as EventRow);
      if (limit >= 0 && rows.length >= limit) break;
    }
    return rows;
  }
}
