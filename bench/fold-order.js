// Folds a ledger's rows into a KeyStateCache and a TimeIndex in one process, in log order or stream by stream,
// and prints time, CPU, GC and memory: the experiment behind README's "First start in 3 s" (does reading the log
// key by key, so that each key's intermediate states die young, make the first start's GC cheaper?). `parse`
// reads and parses the rows without folding them. `worker` runs the fold in a worker thread and prints the
// process's RSS before, at the peak, and after the worker has exited (its heap goes back whole). Not part of
// `npm run bench`; run `npm run build` first.
//
//   node --expose-gc bench/fold-order.js <ledger.db> log|stream|parse [worker]
import Database from 'better-sqlite3';
import { PerformanceObserver } from 'node:perf_hooks';
import { isMainThread, Worker } from 'node:worker_threads';
import { KeyStateCache } from '@keyledger/key-store';
import { TimeIndex } from '@keyledger/read-models';

const [file, mode] = process.argv.slice(2);
if (!file || !['log', 'stream', 'parse'].includes(mode)) {
  console.error('usage: node --expose-gc bench/fold-order.js <ledger.db> log|stream|parse');
  process.exit(2);
}
if (isMainThread && process.argv[4] === 'worker') {
  const rssMB = () => Math.round(process.memoryUsage().rss / 1e6);
  const before = rssMB();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMB())), 100);
  const worker = new Worker(new URL(import.meta.url), { argv: [file, mode] });
  await new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject));
  clearInterval(sampler);
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 500));
  globalThis.gc();
  console.log(JSON.stringify({ rssBeforeMB: before, rssPeakMB: peak, rssAfterWorkerExitMB: rssMB() }));
  process.exit(0);
}
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const db = new Database(file, { readonly: true });
// The rows the projection reads (PROJECTED_STREAMS: every category but usage), in the order asked for.
const order = mode === 'stream' ? 'stream, revision' : 'position';
const rows = db
  .prepare(
    'SELECT position, stream, revision, id, type, data, metadata, recorded_at FROM events ' +
      `WHERE category IS NULL OR category <> 'usage' ORDER BY ${order}`,
  )
  .raw();
const cache = new KeyStateCache();
const times = new TimeIndex();
const started = performance.now();
const cpu = process.cpuUsage();
let events = 0;
for (const row of rows.iterate()) {
  const event = {
    id: row[3],
    streamName: row[1],
    type: row[4],
    data: JSON.parse(row[5]),
    metadata: row[6] === null ? {} : JSON.parse(row[6]),
    recordedAt: new Date(row[7]),
    revision: BigInt(row[2]),
    position: BigInt(row[0]),
  };
  if (mode !== 'parse') {
    cache.applyRecorded(event);
    times.applyRecorded(event);
  }
  events++;
}
const ms = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
await new Promise((resolve) => setTimeout(resolve, 50)); // the GC observer's last entries
globalThis.gc();
globalThis.gc();
const memory = process.memoryUsage();
console.log(
  JSON.stringify({
    mode,
    events,
    keys: cache.keyCount,
    ms: Math.round(ms),
    cpuMs: Math.round((user + system) / 1000),
    gcMs: Math.round(gcMs),
    heapUsedMB: Math.round(memory.heapUsed / 1e6),
    heapTotalMB: Math.round(memory.heapTotal / 1e6),
    rssMB: Math.round(memory.rss / 1e6),
  }),
);
