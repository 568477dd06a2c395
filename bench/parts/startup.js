// Cold start to ready and resident memory with the generated 100,000 keys ×
// 3 backing keys: a new server process per round over the same data dir
// (createKeyledgerServer + listen until /healthz is 200, timed inside the
// process), then RSS after a forced GC (--expose-gc), then stop.
//
// Two kinds of start, alternated: FIRST (no stored view snapshot: every
// `*.snapshot` file is removed from the data dir first, so the view is replayed
// from the start of the log — a first start on an imported or upgraded ledger)
// and RESTART (the snapshot the previous server wrote at stop is there).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, log, median, round, serverEnv, startService } from '../lib/common.js';

const SERVER = join(BENCH_DIR, 'lib', 'server-child.js');
const MB = 1e6;

export function removeSnapshots(dataDir) {
  const removed = [];
  for (const name of readdirSync(dataDir)) {
    if (name.endsWith('.snapshot') || name.includes('.snapshot.')) {
      rmSync(join(dataDir, name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}

export async function startOnce(dataDir, rootKey) {
  const server = await startService(SERVER, {
    args: ['keyledger'],
    execArgv: ['--expose-gc'],
    env: { ...serverEnv({ dataDir, rootKey }), BENCH_SPAWNED_AT: String(Date.now()) },
    // A safety net, not a goal: the first start over 1,000,000 keys (BENCH_SCALE=1) took 222 s on the quiet machine.
    timeoutMs: 900_000,
  });
  try {
    return { timings: server.info.timings, memory: await server.request({ type: 'rss' }) };
  } finally {
    await server.stop();
  }
}

export async function run({ rounds, dataDir, rootKey, keys, events }) {
  const first = [];
  const restart = [];
  let snapshotFiles = [];
  for (let r = 0; r < rounds; r++) {
    removeSnapshots(dataDir);
    first.push(await startOnce(dataDir, rootKey));
    snapshotFiles = readdirSync(dataDir).filter((n) => n.includes('snapshot'));
    restart.push(await startOnce(dataDir, rootKey));
  }
  const hasSnapshots = snapshotFiles.length > 0;
  const timingRounds = (list) =>
    list.map(({ timings: t }) => ({
      createToReadyS: round(t.createToReadyMs / 1000, 2),
      cpuCreateToReadyS: round(t.cpuCreateToReadyMs / 1000, 2),
      listenS: round(t.listenMs / 1000, 2),
      processSpawnToReadyS: round(t.processToReadyMs / 1000, 2),
    }));
  const memoryDetails = (list) => ({
    heapUsedMB: round(median(list.map((x) => x.memory.heapUsed)) / MB, 0),
    heapTotalMB: round(median(list.map((x) => x.memory.heapTotal)) / MB, 0),
    rssAnonMB: round(median(list.map((x) => x.memory.RssAnon ?? NaN)) / MB, 0),
    roundsRssMB: list.map((x) => round(x.memory.rss / MB, 0)),
  });
  const seconds = (list) => median(list.map((x) => x.timings.createToReadyMs)) / 1000;
  const rss = (list) => median(list.map((x) => x.memory.rss)) / MB;
  const common = {
    keys,
    events,
    measured: 'createKeyledgerServer + listen until GET /healthz answers 200, inside the server process',
  };
  log(
    `cold start with ${keys} keys (${events} events): first start ${round(seconds(first))} s, restart ${round(seconds(restart))} s` +
      `${hasSnapshots ? ` (snapshot files: ${snapshotFiles.join(', ')})` : ' (the server wrote no snapshot)'}; ` +
      `RSS after GC ${Math.round(rss(first))} / ${Math.round(rss(restart))} MB`,
  );
  return [
    {
      id: 'cold_start_first',
      value: seconds(first),
      details: {
        ...common,
        start: 'no stored view snapshot: replay from the start of the log',
        rounds: timingRounds(first),
      },
    },
    {
      id: 'cold_start_restart',
      value: seconds(restart),
      details: {
        ...common,
        start: hasSnapshots
          ? `restart with the snapshot the previous server left (${snapshotFiles.join(', ')})`
          : 'restart (no snapshot was written)',
        rounds: timingRounds(restart),
      },
    },
    {
      id: 'memory_rss_first',
      value: rss(first),
      details: {
        ...common,
        measured: 'process.memoryUsage() after a first start (full replay) and two forced GCs',
        ...memoryDetails(first),
      },
    },
    {
      id: 'memory_rss_restart',
      value: rss(restart),
      details: {
        ...common,
        measured: 'process.memoryUsage() after a restart from the snapshot and two forced GCs',
        ...memoryDetails(restart),
      },
    },
  ];
}
