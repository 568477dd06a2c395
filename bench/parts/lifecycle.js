// Durable lifecycle operations over HTTP (CreateKey, RotateKeyOnDemand,
// UpdateAlias), SigV4-signed, sequential (1 connection) and concurrent (N
// connections, each on its own key / alias, so the figure is throughput, not
// conflicts on one stream), against raw better-sqlite3 durable commits.
// Each round: floor, then every operation × {sequential, concurrent}.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH_DIR,
  log,
  median,
  newRootKeyBase64,
  round,
  runChild,
  serverEnv,
  startService,
  tempDir,
} from '../lib/common.js';
import { callKms, signKms } from '../lib/sign.js';

const SERVER = join(BENCH_DIR, 'lib', 'server-child.js');
const LOADGEN = join(BENCH_DIR, 'lib', 'loadgen-child.js');
const FLOOR = join(BENCH_DIR, 'parts', 'durable-floor-child.js');

export async function run({ rounds, concurrency, durationSec }) {
  const dataDir = tempDir('lifecycle');
  const services = [];
  try {
    const keyledger = await startService(SERVER, {
      args: ['keyledger'],
      env: serverEnv({ dataDir, rootKey: newRootKeyBase64(), extra: { KEYLEDGER_MAX_ON_DEMAND_ROTATIONS: '1000000' } }),
    });
    services.push(keyledger);
    const loadgen = await startService(LOADGEN);
    services.push(loadgen);
    const port = keyledger.info.port;

    // Per connection: a key to rotate, an alias to move between two keys.
    const keys = [];
    for (let i = 0; i < concurrency + 1; i++) keys.push((await callKms(port, 'CreateKey', {})).KeyMetadata.KeyId);
    const perConnection = [];
    for (let i = 0; i < concurrency; i++) {
      const alias = `alias/bench-lifecycle-${i}`;
      await callKms(port, 'CreateAlias', { AliasName: alias, TargetKeyId: keys[i] });
      perConnection.push({
        rotate: [await signKms(port, 'RotateKeyOnDemand', { KeyId: keys[i] })],
        // Each request moves the alias (an AliasMoved event every time); two targets alternate.
        alias: [
          await signKms(port, 'UpdateAlias', { AliasName: alias, TargetKeyId: keys[i + 1] }),
          await signKms(port, 'UpdateAlias', { AliasName: alias, TargetKeyId: keys[i] }),
        ],
      });
    }
    const createKey = await signKms(port, 'CreateKey', { Description: 'bench lifecycle' });
    const operations = [
      { name: 'CreateKey', requests: () => [[createKey]] },
      { name: 'RotateKeyOnDemand', requests: (c) => perConnection.slice(0, c).map((p) => p.rotate) },
      { name: 'UpdateAlias', requests: (c) => perConnection.slice(0, c).map((p) => p.alias) },
    ];
    const load = (connections, perClient, seconds = durationSec) =>
      loadgen.request({
        type: 'run',
        spec: { url: `http://127.0.0.1:${port}`, connections, durationSec: seconds, perClient },
      });

    // Warm-up: JIT and the first WAL growth, not measured.
    for (const op of operations) await load(concurrency, op.requests(concurrency), 1);

    const floors = [];
    const measured = {};
    for (let r = 0; r < rounds; r++) {
      floors.push((await runChild(FLOOR, { env: { BENCH_SECONDS: String(durationSec) } })).commitsPerSec);
      for (const op of operations) {
        for (const [mode, connections] of [
          ['sequential', 1],
          [`${concurrency} connections`, concurrency],
        ]) {
          const result = await load(connections, op.requests(connections));
          if (result.non2xx || result.errors)
            throw new Error(`${op.name} ${mode}: ${result.non2xx} non-2xx, ${result.errors} errors`);
          (measured[`${op.name}|${mode}`] ??= []).push(result);
        }
      }
    }
    const floor = median(floors);
    log(`durable floor (raw better-sqlite3, one insert per transaction): ${Math.round(floor)} commits/s`);
    const results = [];
    for (const [key, list] of Object.entries(measured)) {
      const [name, mode] = key.split('|');
      const value = median(list.map((x) => x.requestsPerSec));
      const ratio = median(list.map((x, i) => x.requestsPerSec / floors[i]));
      log(`${name} (${mode}): ${Math.round(value)} ops/s (ratio to floor ${round(ratio)})`);
      results.push({
        id: `lifecycle_${name}_${mode.startsWith('seq') ? 'sequential' : 'concurrent'}`,
        label: `${name} over HTTP, ${mode}`,
        value,
        floor,
        ratio,
        details: {
          durationSec,
          rounds: list.map((x, i) => ({
            opsPerSec: round(x.requestsPerSec, 0),
            floor: round(floors[i], 0),
            p50Ms: x.latencyMs.p50,
            p99Ms: x.latencyMs.p99,
          })),
        },
      });
    }
    return results;
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
