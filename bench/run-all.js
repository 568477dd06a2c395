// `npm run bench`: every Keyledger benchmark, each figure measured beside its
// floor in the same run (alternating rounds, medians), printed as a table and
// written to bench/results/latest.json. Benchmarks, not tests: nothing here fails
// the process because a goal is missed. See bench/README.md.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, log, machine, newRootKeyBase64, round, runChild, serverEnv, tempDir } from './lib/common.js';
import { FIGURES, judge } from './lib/figures.js';
import { LedgerGenerator } from './lib/generate.js';
import { run as runDecryptBesideRsa } from './parts/decrypt-beside-rsa.js';
import { run as runHttpCrypto } from './parts/http-crypto.js';
import { run as runLifecycle } from './parts/lifecycle.js';
import { run as runScaling } from './parts/scaling.js';
import { run as runStartup } from './parts/startup.js';
import { run as runUsage } from './parts/usage.js';
import { run as runUsageStartup } from './parts/usage-startup.js';

const env = process.env;
const num = (name, fallback) => (env[name] === undefined || env[name] === '' ? fallback : Number(env[name]));
const CONFIG = {
  rounds: num('BENCH_ROUNDS', 3),
  httpConnections: num('BENCH_HTTP_CONNECTIONS', 64),
  httpSeconds: num('BENCH_HTTP_SECONDS', 3),
  httpWarmupSeconds: num('BENCH_HTTP_WARMUP_SECONDS', 2),
  // Latency, not throughput: fewer connections, so the p99 is not all queueing.
  rsaBesideConnections: num('BENCH_RSA_BESIDE_CONNECTIONS', 8),
  rsaBesideCreateKeys: num('BENCH_RSA_BESIDE_CREATE_KEYS', 2),
  inProcessSeconds: num('BENCH_INPROCESS_SECONDS', 1.5),
  lifecycleConcurrency: num('BENCH_LIFECYCLE_CONCURRENCY', 32),
  lifecycleSeconds: num('BENCH_LIFECYCLE_SECONDS', 2),
  depthBackingKeys: num('BENCH_DEPTH', 1000),
  keys: num('BENCH_KEYS', 100_000),
  backingKeysPerKey: num('BENCH_BACKING_KEYS', 3),
  rebuildEvents: num('BENCH_EVENTS', 1_000_000),
  generatorThreads: num('BENCH_GEN_THREADS', 2),
  // The store bench (bench/store.bench.js, owned by the event-store work) at its own
  // defaults takes ~150 s here, most of it filling and reading 1,000,000 events;
  // run-all passes BENCH_READ_ALL_EVENTS=300000 to keep the whole run under 10 minutes.
  storeReadAllEvents: num('BENCH_STORE_READ_ALL_EVENTS', 300_000),
  // The scaling row: 10,000 keys generated for it, 100,000 the shared data set below; 1,000,000 keys
  // adds about 20 minutes here (generation 12, first start 4, restarts 2), so it is opt-in (BENCH_SCALE=1).
  // BENCH_SCALE_KEYS overrides the sizes.
  scaleSizes: (env.BENCH_SCALE_KEYS ?? (env.BENCH_SCALE === '1' ? '10000,100000,1000000' : '10000,100000'))
    .split(',')
    .map(Number),
  only: env.BENCH_ONLY ? env.BENCH_ONLY.split(',') : undefined,
};
const wanted = (part) => !CONFIG.only || CONFIG.only.includes(part);

function printTable(rows) {
  const fmt = (x) =>
    x === null || x === undefined
      ? '—'
      : typeof x === 'number'
        ? x.toLocaleString('en', { maximumFractionDigits: 3 })
        : String(x);
  const header = ['figure', 'value', 'unit', 'floor', 'ratio', 'goal', 'met'];
  const lines = rows.map((r) => [
    r.figure,
    fmt(r.value),
    r.unit,
    fmt(r.floor),
    fmt(r.ratio),
    r.goal,
    r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 || i === 2 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  console.log('\n' + line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const l of lines) console.log(line(l));
  console.log('');
}

function runStoreBench() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(BENCH_DIR, 'store.bench.js')], {
      env: { ...process.env, BENCH_READ_ALL_EVENTS: String(CONFIG.storeReadAllEvents) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => resolve(code));
  });
}

async function main() {
  const started = performance.now();
  const rows = [];
  const errors = [];
  const timings = {};
  const cleanup = [];
  const section = async (name, fn) => {
    if (!wanted(name)) return;
    const t = performance.now();
    log(`— ${name}`);
    try {
      const out = await fn();
      for (const row of [out].flat().filter(Boolean)) rows.push(judge(row));
    } catch (error) {
      console.error(error);
      errors.push({ part: name, error: error instanceof Error ? error.message : String(error) });
    }
    timings[name] = round((performance.now() - t) / 1000, 1);
  };
  const onSignal = () => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let generation;
  try {
    await section('store', async () => {
      const code = await runStoreBench();
      if (code !== 0) throw new Error(`store.bench.js exited with ${code}`);
      const s = JSON.parse(readFileSync(join(BENCH_DIR, 'results', 'store.json'), 'utf8'));
      const row = (id, x, extra = {}) => ({
        id,
        value: x.store,
        floor: x.raw,
        ratio: x.ratio,
        details: { ...extra, fromStoreJson: true },
      });
      return [
        row('store_append_sequential', s.appendSequential, { appends: s.config?.sequentialAppends }),
        row('store_append_concurrent', s.appendConcurrent16, {
          writers: s.config?.writers,
          rawUnbatched: s.appendConcurrent16?.rawUnbatched,
        }),
        row('store_read_all', s.readAll, { events: s.config?.readAllEvents }),
      ];
    });

    await section('http', () =>
      runHttpCrypto({
        rounds: CONFIG.rounds,
        connections: CONFIG.httpConnections,
        durationSec: CONFIG.httpSeconds,
        warmupSec: CONFIG.httpWarmupSeconds,
      }),
    );

    await section('rsa-beside', () =>
      runDecryptBesideRsa({
        rounds: CONFIG.rounds,
        connections: CONFIG.rsaBesideConnections,
        durationSec: CONFIG.httpSeconds,
        warmupSec: CONFIG.httpWarmupSeconds,
        createKeyConcurrency: CONFIG.rsaBesideCreateKeys,
      }),
    );

    const inProcess =
      (mode, extra = {}) =>
      async () => {
        const dataDir = tempDir(`inprocess-${mode}`);
        cleanup.push(dataDir);
        try {
          return await runChild(join(BENCH_DIR, 'parts', 'inprocess-child.js'), {
            args: [mode],
            env: {
              ...serverEnv({
                dataDir,
                rootKey: newRootKeyBase64(),
                extra: { KEYLEDGER_MAX_ON_DEMAND_ROTATIONS: '100000' },
              }),
              BENCH_ROUNDS: String(CONFIG.rounds),
              BENCH_SECONDS: String(CONFIG.inProcessSeconds),
              ...extra,
            },
          });
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      };
    await section('inprocess', inProcess('decrypt'));
    await section('depth', inProcess('depth', { BENCH_DEPTH: String(CONFIG.depthBackingKeys) }));
    await section('authz', async () => {
      const dataDir = tempDir('authz');
      cleanup.push(dataDir);
      try {
        return await runChild(join(BENCH_DIR, 'parts', 'authz-child.js'), {
          env: {
            ...serverEnv({ dataDir, rootKey: newRootKeyBase64(), extra: { KEYLEDGER_LOG_LEVEL: 'error' } }),
            BENCH_ROUNDS: String(CONFIG.rounds),
          },
        });
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    await section('lifecycle', () =>
      runLifecycle({
        rounds: CONFIG.rounds,
        concurrency: CONFIG.lifecycleConcurrency,
        durationSec: CONFIG.lifecycleSeconds,
      }),
    );

    await section('usage', () =>
      runUsage({
        rounds: CONFIG.rounds,
        connections: CONFIG.httpConnections,
        durationSec: CONFIG.httpSeconds,
        warmupSec: CONFIG.httpWarmupSeconds,
      }),
    );

    await section('usage-startup', () =>
      runUsageStartup({
        rounds: CONFIG.rounds,
        keys: num('BENCH_USAGE_START_KEYS', 1000),
        days: num('BENCH_USAGE_START_DAYS', 30),
        before: env.BENCH_USAGE_BEFORE,
        cpuProfDir: env.BENCH_CPU_PROF_DIR,
        keep: env.BENCH_USAGE_DATA,
      }),
    );

    // ---- The generated data sets, made once and shared by the figures below.
    const rootKey = newRootKeyBase64();
    const keysDir = tempDir('keys');
    const eventsDir = tempDir('events');
    cleanup.push(keysDir, eventsDir);
    let shared;
    if (wanted('startup') || wanted('rebuild') || wanted('ledger') || wanted('scaling')) {
      const t = performance.now();
      log(
        `— generating ${CONFIG.keys.toLocaleString('en')} keys × ${CONFIG.backingKeysPerKey} backing keys, then a copy grown to ${CONFIG.rebuildEvents.toLocaleString('en')} events`,
      );
      const generator = new LedgerGenerator({
        rootKey,
        keys: CONFIG.keys,
        backingKeysPerKey: CONFIG.backingKeysPerKey,
        threads: CONFIG.generatorThreads,
      });
      try {
        const keys = await generator.keys(keysDir);
        shared = { keys: CONFIG.keys, dataDir: keysDir, rootKey, events: keys.events, ms: keys.ms };
        log(`generated ${keys.events.toLocaleString('en')} events in ${round(keys.ms / 1000, 1)} s`);
        let grown;
        if (wanted('rebuild') || wanted('ledger')) {
          grown = await generator.extend(keysDir, eventsDir, CONFIG.rebuildEvents);
          log(`grew the copy to ${grown.events.toLocaleString('en')} events in ${round(grown.ms / 1000, 1)} s`);
        }
        generation = {
          keys: CONFIG.keys,
          backingKeysPerKey: CONFIG.backingKeysPerKey,
          keysEvents: keys.events,
          keysSeconds: round(keys.ms / 1000, 1),
          rebuildEvents: grown?.events,
          growSeconds: grown ? round(grown.ms / 1000, 1) : undefined,
          material: generator.realMaterial
            ? 'real: sealMaterial under shred keys in a ShredVault with the run root key'
            : 'fake: base64 of 61 random bytes per backing key (the size sealMaterial makes of 32-byte material); no shred keys stored — these figures never open material',
          totalSeconds: round((performance.now() - t) / 1000, 1),
        };
      } finally {
        await generator.close();
      }
      timings.generation = generation.totalSeconds;

      await section('startup', () =>
        runStartup({
          rounds: CONFIG.rounds,
          dataDir: keysDir,
          rootKey,
          keys: CONFIG.keys,
          events: generation.keysEvents,
        }),
      );
      await section('rebuild', () =>
        runChild(join(BENCH_DIR, 'parts', 'rebuild-child.js'), {
          args: [join(eventsDir, 'ledger.db')],
          execArgv: ['--expose-gc'],
          env: { BENCH_ROUNDS: String(CONFIG.rounds) },
          timeoutMs: 400_000,
        }),
      );
      await section('ledger', () =>
        runChild(join(BENCH_DIR, 'parts', 'ledger-child.js'), {
          args: [join(keysDir, 'ledger.db'), join(eventsDir, 'ledger.db')],
          execArgv: ['--expose-gc'],
          env: { BENCH_ROUNDS: String(CONFIG.rounds) },
          timeoutMs: 300_000,
        }),
      );
    }
    await section('scaling', () =>
      runScaling({
        rounds: CONFIG.rounds,
        rootKey: newRootKeyBase64(),
        sizes: CONFIG.scaleSizes,
        backingKeysPerKey: CONFIG.backingKeysPerKey,
        threads: CONFIG.generatorThreads,
        cleanup,
        shared,
      }),
    );
  } finally {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  }

  const totalSeconds = round((performance.now() - started) / 1000, 1);
  const order = Object.keys(FIGURES);
  rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  printTable(rows);
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    totalSeconds,
    partSeconds: timings,
    config: CONFIG,
    generation,
    figures: rows,
    errors,
  };
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'results', 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  const missed = rows.filter((r) => !r.met).map((r) => r.figure);
  log(
    `done in ${totalSeconds} s; ${rows.length - missed.length}/${rows.length} goals met; results in bench/results/latest.json`,
  );
  if (errors.length) log(`parts that failed: ${errors.map((e) => `${e.part} (${e.error})`).join('; ')}`);
}

await main();
