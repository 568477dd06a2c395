// Profiles the built server's start-up over a generated ledger and prints where it goes, stage by stage
// (STARTUP_RULES in lib/profile-stages.js): a first start (every view snapshot removed: the whole log is
// replayed into the view, then the snapshot is written) and a restart from that snapshot. Not part of
// `npm run bench`; run `npm run build` first.
//
//   node bench/profile-startup.js [dataDir]
//
// Without dataDir, BENCH_KEYS keys (100,000) × BENCH_BACKING_KEYS (3) are generated into a temporary
// directory and removed at the end. With dataDir, the ledger there is used and kept; its root key is read from
// `<dataDir>.rootkey` (or generated into it, with its root key written there, when the directory is empty).
// The .cpuprofile files (open them in Chrome DevTools) are written to a temporary directory, printed at the end.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, newRootKeyBase64, serverEnv, startService, tempDir } from './lib/common.js';
import { LedgerGenerator } from './lib/generate.js';
import { profileStages, STARTUP_RULES } from './lib/profile-stages.js';
import { removeSnapshots } from './parts/startup.js';

const SERVER = join(BENCH_DIR, 'lib', 'server-child.js');
const keys = Number(process.env.BENCH_KEYS ?? 100_000);
const backingKeysPerKey = Number(process.env.BENCH_BACKING_KEYS ?? 3);
const outDir = tempDir('startup-profiles');
const MB = 1e6;

async function dataSet() {
  const given = process.argv[2];
  const dataDir = given ?? tempDir('startup-profile-data');
  const keyFile = `${dataDir}.rootkey`;
  if (given && existsSync(keyFile)) return { dataDir, rootKey: readFileSync(keyFile, 'utf8').trim(), keep: true };
  if (given && existsSync(dataDir) && readdirSync(dataDir).length > 0)
    throw new Error(`${dataDir} holds a ledger, but there is no ${keyFile} with its root key`);
  const rootKey = newRootKeyBase64();
  const generator = new LedgerGenerator({ rootKey, keys, backingKeysPerKey });
  try {
    const { events, ms } = await generator.keys(dataDir);
    console.log(`generated ${keys} keys × ${backingKeysPerKey} (${events} events) in ${(ms / 1000).toFixed(1)} s`);
  } finally {
    await generator.close();
  }
  if (given) writeFileSync(keyFile, rootKey, { mode: 0o600 });
  return { dataDir, rootKey, keep: Boolean(given) };
}

async function profiledStart(kind, { dataDir, rootKey }) {
  if (kind === 'first') removeSnapshots(dataDir);
  const file = join(outDir, `${kind}-start.cpuprofile`);
  const server = await startService(SERVER, {
    args: ['keyledger'],
    execArgv: ['--expose-gc'],
    env: { ...serverEnv({ dataDir, rootKey }), BENCH_PROFILE_STARTUP: file },
    timeoutMs: 1_800_000,
  });
  const memory = await server.request({ type: 'rss' });
  await server.stop();
  const { timings } = server.info;
  const stages = profileStages(JSON.parse(readFileSync(file, 'utf8')), STARTUP_RULES);
  console.log(
    `\n${kind} start: ready in ${(timings.createToReadyMs / 1000).toFixed(2)} s wall, ` +
      `${(timings.cpuCreateToReadyMs / 1000).toFixed(2)} s CPU (create → /healthz 200; import before it: ` +
      `${(timings.importMs / 1000).toFixed(2)} s); load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
  );
  console.log(
    `RSS after 2 forced GCs ${Math.round(memory.rss / MB)} MB: heap used ${Math.round(memory.heapUsed / MB)} / ` +
      `total ${Math.round(memory.heapTotal / MB)} MB, anonymous ${Math.round((memory.RssAnon ?? NaN) / MB)} MB, ` +
      `peak ${Math.round((memory.VmHWM ?? NaN) / MB)} MB`,
  );
  console.log('| stage (import included) | share of samples | s (sampled) |\n|---|---|---|');
  for (const [stage, us] of stages.stages)
    console.log(`| ${stage} | ${((100 * us) / stages.busyUs).toFixed(1)}% | ${(us / 1e6).toFixed(2)} |`);
  return file;
}

const set = await dataSet();
try {
  const files = [await profiledStart('first', set), await profiledStart('restart', set)];
  console.log(`\nprofiles: ${files.join(', ')}`);
} finally {
  if (!set.keep) rmSync(set.dataDir, { recursive: true, force: true });
}
