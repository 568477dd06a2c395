// Rebuilding every read model from the generated ledger, as start-up does: KeyStateCache
// (every key's and alias's fold, and the TimeIndex the ledger API's as-of queries
// answer from) fed by LedgerProjection over the SqliteEventStore subscription; then
// the ledger API's first catch-up over that view, as its first query would,
// against the floor: raw better-sqlite3 paging the same events in position order
// (same query, same 4096-row pages as readAll) and JSON.parse of data and metadata.
// Alternates K F K F K F; a forced GC between runs (run with --expose-gc).
//   node rebuild-child.js <ledger.db>    env: BENCH_ROUNDS
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@keyledger/event-store';
import { KeyStateCache } from '@keyledger/key-store';
import * as readModels from '@keyledger/read-models';
import { childMain, median, round } from '../lib/common.js';

const file = process.argv[2];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAGE = 4096;
const gc = () => globalThis.gc?.();

async function rebuild() {
  gc();
  const t = performance.now();
  const store = new SqliteEventStore(file);
  const cache = new KeyStateCache();
  const times = new readModels.TimeIndex();
  const projection = new readModels.LedgerProjection(store, cache, times);
  await projection.start();
  const viewMs = performance.now() - t;
  const t2 = performance.now();
  const clock = { now: () => new Date() };
  const shared = { cache, times, position: () => projection.position };
  await new readModels.LedgerQueries(
    store,
    { region: 'us-east-1', accountId: '111122223333', clock },
    shared,
  ).catchUp();
  const queriesMs = performance.now() - t2;
  const ms = performance.now() - t;
  const keys = cache.keyCount;
  const position = projection.position;
  await projection.stop();
  await store.close();
  return { ms, viewMs, queriesMs, keys, events: Number(position) };
}

function raw() {
  gc();
  const t = performance.now();
  const db = new Database(file, { readonly: true });
  const select = db
    .prepare(
      'SELECT position, stream, revision, id, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT ?',
    )
    .raw();
  let after = 0;
  let count = 0;
  let check = 0;
  for (;;) {
    const rows = select.all(after, PAGE);
    if (rows.length === 0) break;
    for (const row of rows) {
      const data = JSON.parse(row[5]);
      const metadata = row[6] === null ? null : JSON.parse(row[6]);
      if (data !== null && metadata !== null) check++;
    }
    count += rows.length;
    after = rows[rows.length - 1][0];
  }
  db.close();
  return { ms: performance.now() - t, events: count, check };
}

childMain(async () => {
  const k = [];
  const f = [];
  for (let r = 0; r < ROUNDS; r++) {
    k.push(await rebuild());
    f.push(raw());
    if (k[r].events !== f[r].events) throw new Error(`event counts differ: view ${k[r].events}, raw ${f[r].events}`);
  }
  const events = f[0].events;
  const rate = (x) => (x.events / x.ms) * 1000;
  return {
    id: 'rebuild_read_models',
    value: median(k.map(rate)),
    floor: median(f.map(rate)),
    ratio: median(k.map((x, i) => f[i].ms / x.ms)),
    details: {
      events,
      keys: k[0].keys,
      readModels: 'KeyStateCache and TimeIndex (LedgerProjection), then LedgerQueries.catchUp() over them',
      ledgerViewOnlyRatio: round(median(k.map((x, i) => f[i].ms / x.viewMs)), 3),
      rebuildSeconds: k.map((x) => round(x.ms / 1000, 2)),
      ledgerViewSeconds: k.map((x) => round(x.viewMs / 1000, 2)),
      ledgerQueriesSeconds: k.map((x) => round(x.queriesMs / 1000, 2)),
      floorSeconds: f.map((x) => round(x.ms / 1000, 2)),
    },
  };
});
