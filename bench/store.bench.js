// Event store benchmark: the embedded SqliteEventStore against raw better-sqlite3
// doing the same inserts/reads with the same schema and pragmas, in the same run,
// alternating rounds so disk and CPU drift hit both sides alike.
// Run after building the library: `npm run bench:store`, or
// `npx tsc -b libs/event-store && node bench/store.bench.js`.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@keyledger/event-store';

const ROUNDS = 3;
const SEQUENTIAL_APPENDS = Number(process.env.BENCH_SEQ_APPENDS ?? 1500);
const WRITERS = 16;
const APPENDS_PER_WRITER = Number(process.env.BENCH_APPENDS_PER_WRITER ?? 100);
const READ_ALL_EVENTS = Number(process.env.BENCH_READ_ALL_EVENTS ?? 1_000_000);
const READ_PAGE = 4096;
const FILL_BATCH = 10_000;

const benchDir = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'keyledger-store-bench-'));

// The same schema the adapter creates, so raw pays for the same indexes.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL,
    id TEXT NOT NULL COLLATE NOCASE UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL,
    metadata TEXT, recorded_at INTEGER NOT NULL, UNIQUE (stream, revision)
  ) STRICT;`;

function openRaw(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  const insert = db.prepare(
    'INSERT INTO events (stream, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  return { db, insert, begin, commit };
}

function payload(i) {
  return {
    type: 'KeyUsed',
    data: { keyId: '2f1c4e8a-9b7d-4c3e-8f6a-1d2e3f4a5b6c', operation: 'Encrypt', bytes: 4096, i },
    metadata: { actor: 'arn:aws:iam::111122223333:user/bench', requestId: 'r-1' },
  };
}

function rawInsert(raw, stream, revision, event, now) {
  raw.insert.run(
    stream,
    revision,
    randomUUID(),
    event.type,
    JSON.stringify(event.data),
    JSON.stringify(event.metadata),
    now,
  );
}

const rate = (count, ms) => (count / ms) * 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- 1 writer, sequential awaits: every append is its own durable commit.
async function sequential(store, raw, round) {
  const stream = `seq-${round}`;
  let t = performance.now();
  for (let i = 0; i < SEQUENTIAL_APPENDS; i++) {
    const e = payload(i);
    await store.appendToStream(stream, [{ id: randomUUID(), ...e }]);
  }
  const storeMs = performance.now() - t;

  t = performance.now();
  for (let i = 0; i < SEQUENTIAL_APPENDS; i++) {
    // Autocommit = one durable transaction per event, as the store must do for a lone writer.
    rawInsert(raw, stream, i, payload(i), Date.now());
  }
  const rawMs = performance.now() - t;
  return { store: rate(SEQUENTIAL_APPENDS, storeMs), raw: rate(SEQUENTIAL_APPENDS, rawMs) };
}

// ---- 16 concurrent writers, each on its own stream.
async function concurrent(store, raw, round) {
  let t = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const stream = `conc-${round}-${w}`;
      for (let i = 0; i < APPENDS_PER_WRITER; i++) {
        await store.appendToStream(stream, [{ id: randomUUID(), ...payload(i) }], {
          expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1),
        });
      }
    }),
  );
  const storeMs = performance.now() - t;
  const total = WRITERS * APPENDS_PER_WRITER;

  // Raw batched: the 16 concurrent events of each step in one transaction.
  t = performance.now();
  for (let i = 0; i < APPENDS_PER_WRITER; i++) {
    raw.begin.run();
    const now = Date.now();
    for (let w = 0; w < WRITERS; w++) rawInsert(raw, `conc-${round}-${w}`, i, payload(i), now);
    raw.commit.run();
  }
  const rawBatchedMs = performance.now() - t;

  // Raw unbatched: one transaction per event: what 16 writers cost without group commit.
  t = performance.now();
  for (let i = 0; i < APPENDS_PER_WRITER; i++) {
    for (let w = 0; w < WRITERS; w++) rawInsert(raw, `conc-unbatched-${round}-${w}`, i, payload(i), Date.now());
  }
  const rawUnbatchedMs = performance.now() - t;
  return {
    store: rate(total, storeMs),
    raw: rate(total, rawBatchedMs),
    rawUnbatched: rate(total, rawUnbatchedMs),
  };
}

// ---- readAll over READ_ALL_EVENTS events, paging 4096 at a time.
async function fillForRead(file) {
  const store = new SqliteEventStore(file);
  const t = performance.now();
  for (let done = 0; done < READ_ALL_EVENTS; done += FILL_BATCH) {
    const n = Math.min(FILL_BATCH, READ_ALL_EVENTS - done);
    const events = Array.from({ length: n }, (_, i) => ({ id: randomUUID(), ...payload(done + i) }));
    await store.appendToStream(`fill-${done % 100_000}`, events);
  }
  await store.close();
  return performance.now() - t;
}

async function readAllStore(store) {
  const t = performance.now();
  let after = 0n;
  let count = 0;
  let checksum = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: READ_PAGE });
    if (page.length === 0) break;
    for (const e of page) checksum += e.data.i;
    count += page.length;
    after = page[page.length - 1].position;
  }
  return { count, checksum, ms: performance.now() - t };
}

function readAllRaw(db) {
  // The same query and page size; rows decoded into what a caller needs: parsed JSON.
  const select = db.prepare(
    'SELECT position, stream, revision, id, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT ?',
  );
  const t = performance.now();
  let after = 0;
  let count = 0;
  let checksum = 0;
  for (;;) {
    const rows = select.all(after, READ_PAGE);
    if (rows.length === 0) break;
    for (const row of rows) {
      const data = JSON.parse(row.data);
      if (row.metadata !== null) JSON.parse(row.metadata);
      checksum += data.i;
    }
    count += rows.length;
    after = rows[rows.length - 1].position;
  }
  return { count, checksum, ms: performance.now() - t };
}

async function main() {
  const started = performance.now();
  const store = new SqliteEventStore(join(tmp, 'store-appends.db'));
  const raw = openRaw(join(tmp, 'raw-appends.db'));

  const seq = [];
  const conc = [];
  for (let round = 0; round < ROUNDS; round++) {
    seq.push(await sequential(store, raw, round));
    conc.push(await concurrent(store, raw, round));
  }
  await store.close();
  raw.db.close();

  const readFile = join(tmp, 'store-read.db');
  const fillMs = await fillForRead(readFile);
  const readStore = new SqliteEventStore(readFile);
  const readRaw = openRaw(readFile).db;
  const reads = [];
  for (let round = 0; round < ROUNDS; round++) {
    const s = await readAllStore(readStore);
    const r = readAllRaw(readRaw);
    if (s.count !== READ_ALL_EVENTS || r.count !== READ_ALL_EVENTS || s.checksum !== r.checksum) {
      throw new Error(`readAll mismatch: store ${s.count}/${s.checksum}, raw ${r.count}/${r.checksum}`);
    }
    reads.push({ store: rate(s.count, s.ms), raw: rate(r.count, r.ms) });
  }
  await readStore.close();
  readRaw.close();

  const summarise = (rounds, goal) => {
    const storeRate = median(rounds.map((r) => r.store));
    const rawRate = median(rounds.map((r) => r.raw));
    const ratio = median(rounds.map((r) => r.store / r.raw));
    return {
      store: Math.round(storeRate),
      raw: Math.round(rawRate),
      ratio: +ratio.toFixed(2),
      goal,
      met: ratio >= goal,
    };
  };
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    rounds: ROUNDS,
    config: {
      sequentialAppends: SEQUENTIAL_APPENDS,
      writers: WRITERS,
      appendsPerWriter: APPENDS_PER_WRITER,
      readAllEvents: READ_ALL_EVENTS,
      readPage: READ_PAGE,
      pragmas: { journal_mode: 'WAL', synchronous: 'FULL' },
    },
    appendSequential: summarise(seq, 0.7),
    appendConcurrent16: {
      ...summarise(conc, 0.5),
      rawUnbatched: Math.round(median(conc.map((r) => r.rawUnbatched))),
    },
    readAll: summarise(reads, 0.5),
    fillEventsPerSecond: Math.round(rate(READ_ALL_EVENTS, fillMs)),
    totalSeconds: +((performance.now() - started) / 1000).toFixed(1),
  };

  console.table({
    'append, 1 writer (appends/s)': pick(results.appendSequential),
    [`append, ${WRITERS} writers (appends/s; raw = batched tx)`]: pick(results.appendConcurrent16),
    [`readAll ${READ_ALL_EVENTS.toLocaleString('en')} (events/s)`]: pick(results.readAll),
  });
  console.log(
    `raw ${WRITERS} writers unbatched (one tx per event): ${results.appendConcurrent16.rawUnbatched} appends/s; ` +
      `fill via appendToStream(${FILL_BATCH}-event batches): ${results.fillEventsPerSecond} events/s; ` +
      `total ${results.totalSeconds}s`,
  );
  mkdirSync(join(benchDir, 'results'), { recursive: true });
  writeFileSync(join(benchDir, 'results', 'store.json'), JSON.stringify(results, null, 2) + '\n');
}

function pick({ store, raw, ratio, goal, met }) {
  return { store, raw, ratio, goal: `>= ${goal}`, met };
}

try {
  await main();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
