// Cold start on a ledger that also holds a month of usage (issue 13: "cold start stays within its current
// figure on a ledger that also holds a month of usage events"). Two data sets made once: 1,000 generated
// keys × 3 backing keys, and a copy of it with a month of usage on every key (one KeyUsageRecorded aggregate
// per key per hour, hash-chained like the recorder's). Each round starts a server on each (first start: view
// snapshots removed; then a restart from the snapshot the first left), alternating which goes first.
//
// BENCH_USAGE_BEFORE=<dir>: also start the servers of another build, <dir>/bench/lib/server-child.js with
// its own node_modules (an earlier build's dist), in the same rounds, for a before/after in one run.
// BENCH_CPU_PROF_DIR=<dir>: --cpu-prof for the first starts with usage, profiles written there.
// BENCH_USAGE_DATA=<dir>: keep the two data sets there (made on the first run, reused and kept after).
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { NO_STREAM, SqliteEventStore } from '@keyledger/event-store';
import { integrityOf, keyStreamName, usageStream, USAGE_TRACKING_STREAM, withIntegrity } from '@keyledger/ledger';
import { BENCH_DIR, log, median, newRootKeyBase64, round, serverEnv, startService, tempDir } from '../lib/common.js';
import { LedgerGenerator, LEDGER_FILE } from '../lib/generate.js';
import { removeSnapshots } from './startup.js';

const HOUR = 3_600_000;
const PRINCIPALS = 10;

async function addMonthOfUsage(dir, days) {
  const store = new SqliteEventStore(join(dir, LEDGER_FILE));
  const materials = new Map();
  for (let after = 'start'; ;) {
    const page = await store.readAll({ after, maxCount: 4096 });
    for (const event of page) {
      if (!event.streamName.startsWith(keyStreamName(''))) continue;
      const keyId = event.streamName.slice(keyStreamName('').length);
      const id = event.data.keyMaterialId;
      if (!materials.has(keyId)) materials.set(keyId, []);
      if (typeof id === 'string' && !materials.get(keyId).includes(id)) materials.get(keyId).push(id);
    }
    if (page.length < 4096) break;
    after = page.at(-1).position;
  }
  const start = Math.floor((Date.now() - days * 24 * HOUR) / HOUR) * HOUR;
  const actor = { principal: 'keyledger:usage', accessKeyId: null, sourceAddress: null };
  const chain = (streamName, items) => {
    let previous = null;
    return items.map(({ type, data, time }, revision) => {
      const metadata = withIntegrity(
        { streamName, revision: BigInt(revision), type, data, metadata: { actor, requestId: randomUUID(), time } },
        previous,
      );
      previous = integrityOf(metadata).hash;
      return { type, data, metadata };
    });
  };
  const startedAt = new Date(start).toISOString();
  await store.appendToStream(
    USAGE_TRACKING_STREAM,
    chain(USAGE_TRACKING_STREAM, [{ type: 'UsageTrackingStarted', data: { startedAt }, time: startedAt }]),
    { expectedRevision: NO_STREAM },
  );
  let events = 0;
  let k = 0;
  for (const [keyId, ids] of materials) {
    const principal = `arn:aws:iam::111122223333:user/app-${k++ % PRINCIPALS}`;
    const items = [];
    for (let h = 0; h < days * 24; h++) {
      const minute = start + h * HOUR;
      items.push({
        type: 'KeyUsageRecorded',
        data: {
          region: 'us-east-1',
          keyId,
          keyMaterialId: ids[h % ids.length] ?? null,
          principal,
          operation: 'Decrypt',
          minute: new Date(minute).toISOString(),
          count: 1 + (h % 17),
          firstAt: new Date(minute + 1000).toISOString(),
          lastAt: new Date(minute + 50_000).toISOString(),
          lastRequestId: randomUUID(),
          sourceAddresses: ['10.0.0.1'],
        },
        time: new Date(minute + 60_000).toISOString(),
      });
    }
    await store.appendToStream(usageStream(keyId), chain(usageStream(keyId), items), { expectedRevision: NO_STREAM });
    events += items.length;
  }
  await store.close();
  return events;
}

async function startOnce(serverScript, dataDir, rootKey, execArgv = []) {
  const server = await startService(serverScript, {
    args: ['keyledger'],
    execArgv: ['--expose-gc', ...execArgv],
    env: serverEnv({ dataDir, rootKey }),
    timeoutMs: 300_000,
  });
  try {
    return { seconds: server.info.timings.createToReadyMs / 1000, rss: (await server.request({ type: 'rss' })).rss };
  } finally {
    await server.stop();
  }
}

const megabytes = (dir) => round(readdirSync(dir).reduce((s, n) => s + statSync(join(dir, n)).size, 0) / 1e6, 0);

async function dataSets(keys, days, keep) {
  const base = keep ?? tempDir('ustart');
  const plain = join(base, 'plain');
  const withUsage = join(base, 'usage');
  const rootFile = join(base, 'root-key.b64');
  if (keep && existsSync(rootFile)) {
    log(`usage start-up data reused from ${base} (${megabytes(withUsage)} MB with usage)`);
    return { plain, withUsage, rootKey: readFileSync(rootFile, 'utf8'), remove: () => undefined };
  }
  const rootKey = newRootKeyBase64();
  mkdirSync(plain, { recursive: true });
  const gen = new LedgerGenerator({ rootKey, keys, backingKeysPerKey: 3, threads: 2 });
  const made = await gen.keys(plain);
  await gen.close();
  cpSync(plain, withUsage, { recursive: true });
  const usageEvents = await addMonthOfUsage(withUsage, days);
  writeFileSync(rootFile, rootKey, { mode: 0o600 });
  log(`usage start-up data: ${made.events} key events; +${usageEvents} usage events (${megabytes(withUsage)} MB)`);
  return { plain, withUsage, rootKey, remove: () => keep || rmSync(base, { recursive: true, force: true }) };
}

export async function run({ rounds, keys = 1000, days = 30, before, cpuProfDir, keep }) {
  const { plain, withUsage, rootKey, remove } = await dataSets(keys, days, keep);
  const usageEvents = keys * days * 24;
  try {
    const builds = { after: join(BENCH_DIR, 'lib', 'server-child.js') };
    if (before) builds.before = join(before, 'bench', 'lib', 'server-child.js');
    const sets = { plain, usage: withUsage };
    const results = {};
    const loads = [];
    for (let r = 0; r < rounds; r++) {
      loads.push(round(loadavg()[0], 1));
      const order = Object.keys(builds);
      if (r % 2 === 1) order.reverse();
      for (const build of order) {
        for (const set of r % 2 === 0 ? ['usage', 'plain'] : ['plain', 'usage']) {
          const dir = sets[set];
          removeSnapshots(dir);
          const prof = cpuProfDir && set === 'usage' ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}/${build}`] : [];
          const first = await startOnce(builds[build], dir, rootKey, prof);
          const restart = await startOnce(builds[build], dir, rootKey);
          const slot = (results[`${build}/${set}`] ??= { first: [], restart: [], rss: [] });
          slot.first.push(first.seconds);
          slot.restart.push(restart.seconds);
          slot.rss.push(first.rss / 1e6);
        }
      }
    }
    const fig = (build, set, kind) => median(results[`${build}/${set}`][kind]);
    const summary = Object.fromEntries(
      Object.entries(results).map(([k, v]) => [
        k,
        {
          first: v.first.map((x) => round(x, 2)),
          restart: v.restart.map((x) => round(x, 2)),
          rssMB: v.rss.map((x) => round(x, 0)),
        },
      ]),
    );
    for (const [k, v] of Object.entries(summary))
      log(`  ${k}: first ${v.first.join(', ')} s; restart ${v.restart.join(', ')} s; RSS ${v.rssMB.join(', ')} MB`);
    const details = { keys, usageEvents, days, rounds: summary, loadAverage: loads };
    const row = (id, kind) => ({
      id,
      value: fig('after', 'usage', kind),
      floor: fig('after', 'plain', kind),
      ratio: fig('after', 'usage', kind) / fig('after', 'plain', kind),
      details: {
        ...details,
        ...(before && {
          before: fig('before', 'usage', kind),
          beforeRatio: fig('before', 'usage', kind) / fig('before', 'plain', kind),
        }),
      },
    });
    return [row('usage_cold_start_first', 'first'), row('usage_cold_start_restart', 'restart')];
  } finally {
    remove();
  }
}
