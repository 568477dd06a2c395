import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DamagedEventError, EventStoreError, type RecordedEvent } from '../event-store.port.js';
import { SqliteEventStore } from './sqlite-event-store.js';

const USAGE = { excludeCategories: ['usage'] };
const evt = (type: string) => ({ id: randomUUID(), type, data: { type } });

/** The events table as schema v1 made it, filled the way a build of that schema wrote it. */
function writeV1File(file: string, rows: Array<[stream: string, revision: number, type: string]>): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE events (
      position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL,
      id TEXT NOT NULL COLLATE NOCASE UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT,
      recorded_at INTEGER NOT NULL, UNIQUE (stream, revision)
    ) STRICT;
    PRAGMA user_version = 1;`);
  const insert = db.prepare(
    'INSERT INTO events (stream, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, NULL, 0)',
  );
  for (const [stream, revision, type] of rows)
    insert.run(stream, revision, randomUUID(), type, JSON.stringify({ type }));
  db.close();
}

const types = (events: RecordedEvent[]) => events.map((e) => `${e.streamName}:${e.type}`);

describe('SqliteEventStore stream filter', () => {
  let dir: string;
  let file: string;
  const open: SqliteEventStore[] = [];
  const openStore = () => {
    const store = new SqliteEventStore(file);
    open.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-filter-'));
    file = join(dir, 'ledger.db');
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a schema v1 file on open: same events, then filtered reads and appends work on it', async () => {
    writeV1File(file, [
      ['key-1', 0, 'KeyCreated'],
      ['usage-1', 0, 'KeyUsageRecorded'],
      ['usage-tracking', 0, 'UsageTrackingStarted'],
      ['alias-alias/a', 0, 'AliasCreated'],
      ['usage-1@eu-west-1', 0, 'KeyUsageRecorded'],
    ]);
    const store = openStore();
    const version = new Database(file, { readonly: true });
    expect(version.pragma('user_version', { simple: true })).toBe(2);
    version.close();

    expect(types(await store.readAll())).toEqual([
      'key-1:KeyCreated',
      'usage-1:KeyUsageRecorded',
      'usage-tracking:UsageTrackingStarted',
      'alias-alias/a:AliasCreated',
      'usage-1@eu-west-1:KeyUsageRecorded',
    ]);
    expect(types(await store.readAll({ filter: USAGE }))).toEqual(['key-1:KeyCreated', 'alias-alias/a:AliasCreated']);
    await store.appendToStream('usage-1', [evt('KeyUsageRecorded')], { expectedRevision: 0n });
    await store.appendToStream('key-1', [evt('KeyEnabled')], { expectedRevision: 0n });
    expect(types(await store.readAll({ after: 5n, filter: USAGE }))).toEqual(['key-1:KeyEnabled']);

    // Opening it again is not a second migration.
    await store.close();
    expect(types(await openStore().readAll({ filter: USAGE }))).toHaveLength(3);
  });

  it('refuses a file of a newer schema, in one line that names it, and changes nothing', () => {
    const db = new Database(file);
    db.pragma('user_version = 3');
    db.close();
    expect(() => new SqliteEventStore(file)).toThrow(EventStoreError);
    expect(() => new SqliteEventStore(file)).toThrow(/schema v3; this build understands up to v2/);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(3);
    after.close();
  });

  it('never reads the rows it leaves out: a damaged usage event breaks the whole read, not the filtered one', async () => {
    const store = openStore();
    await store.appendToStream('key-1', [evt('KeyCreated')]);
    await store.appendToStream('usage-1', [evt('KeyUsageRecorded'), evt('KeyUsageRecorded')]);
    await store.appendToStream('key-1', [evt('KeyEnabled')]);
    const raw = new Database(file);
    raw.prepare("UPDATE events SET data = '{not json' WHERE stream = 'usage-1'").run();
    raw.close();

    await expect(store.readAll()).rejects.toBeInstanceOf(DamagedEventError);
    expect(types(await store.readAll({ filter: USAGE }))).toEqual(['key-1:KeyCreated', 'key-1:KeyEnabled']);
    const seen: string[] = [];
    const checkpoints: bigint[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = store.subscribeToAll(
        { filter: USAGE },
        {
          onEvent: (e) => void seen.push(e.type),
          onCheckpoint: (p) => void checkpoints.push(p),
          onCaughtUp: () => void subscription.unsubscribe().then(resolve),
          onError: reject,
        },
      );
    });
    expect(seen).toEqual(['KeyCreated', 'KeyEnabled']);
    // The last event kept is the head: there was no left-out tail to pass.
    expect(checkpoints).toEqual([]);
  });

  it('keeps the same events in the same order when the log holds more categories than it merges', async () => {
    const store = openStore();
    const expected: string[] = [];
    const appends: Promise<unknown>[] = [];
    // Made in one turn, so one commit; positions follow the order of the calls.
    for (let i = 0; i < 450; i++) {
      appends.push(store.appendToStream(`usage-${i}`, [evt('KeyUsageRecorded')]));
      appends.push(store.appendToStream(`c${i}-1`, [evt('E')]));
      expected.push(`c${i}-1:E`);
    }
    await Promise.all(appends);
    await store.appendToStream('nocategory', [evt('N')]);
    expected.push('nocategory:N');
    const pages: RecordedEvent[][] = [];
    for (let after = 0n; ;) {
      const page = await store.readAll({ after, maxCount: 100, filter: USAGE });
      pages.push(page);
      if (page.length < 100) break;
      after = page.at(-1)!.position;
    }
    expect(pages.map((p) => p.length)).toEqual([100, 100, 100, 100, 51]);
    expect(types(pages.flat())).toEqual(expected);
  });

  it('reads a log holding nothing it leaves out in order and whole, paged, saying how far it looked', async () => {
    const store = openStore();
    await store.appendToStream('key-1', [evt('KeyCreated'), evt('KeyEnabled')]);
    await store.appendToStream('alias-alias/a', [evt('AliasCreated')]);
    await store.appendToStream('nocategory', [evt('N')]);
    const full = store.readAllSync('start', 2, USAGE);
    expect(types(full.events)).toEqual(['key-1:KeyCreated', 'key-1:KeyEnabled']);
    expect(full.passed).toBeUndefined();
    const rest = store.readAllSync(2n, 10, USAGE);
    expect(types(rest.events)).toEqual(['alias-alias/a:AliasCreated', 'nocategory:N']);
    expect(rest.passed).toBe(4n);
    // Once usage is there, the same read leaves it out.
    await store.appendToStream('usage-1', [evt('KeyUsageRecorded')]);
    await store.appendToStream('key-1', [evt('KeyDisabled')]);
    const after = store.readAllSync(4n, 10, USAGE);
    expect(types(after.events)).toEqual(['key-1:KeyDisabled']);
    expect(after.passed).toBe(6n);
  });

  it('passes a left-out tail up to the head, live as well as in the catch-up', async () => {
    const store = openStore();
    await store.appendToStream('key-1', [evt('KeyCreated')]);
    await store.appendToStream('usage-1', [evt('KeyUsageRecorded')]);
    const checkpoints: bigint[] = [];
    let next!: () => void;
    let passed = new Promise<void>((resolve) => (next = resolve));
    const subscription = store.subscribeToAll(
      { filter: USAGE },
      { onEvent: () => undefined, onCheckpoint: (p) => (checkpoints.push(p), next()) },
    );
    await passed;
    expect(checkpoints).toEqual([2n]);
    passed = new Promise<void>((resolve) => (next = resolve));
    await store.appendToStream('usage-1', [evt('KeyUsageRecorded'), evt('KeyUsageRecorded')]);
    await passed;
    expect(checkpoints).toEqual([2n, 4n]);
    await subscription.unsubscribe();
  });
});
