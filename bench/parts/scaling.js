// Restart and resident memory as the ledger grows: 10,000, 100,000 and 1,000,000 keys
// (× BENCH_BACKING_KEYS backing keys), each generated into its own data dir. Per size:
// a first start where no view snapshot is there yet (full replay), then restarts from
// the snapshot. Reports each size's figures, the growth from one
// size to the next against the growth in keys (linear: ratio of ratios ≈ 1), and the
// marginal bytes of RSS per key. 10,000 and 100,000 keys run by default; the size the
// rest of the bench generated (`shared`, 100,000 keys) is reused, not generated again.
// 1,000,000 is opt-in (BENCH_SCALE=1): on the quiet 2-core machine (2026-11-30) generating it took 12 minutes
// (6,000,000 events, 5.7 GB) and its first start 222 s, so the row adds about 20 minutes to a run.
import { readdirSync, rmSync } from 'node:fs';
import { log, median, round, tempDir } from '../lib/common.js';
import { LedgerGenerator } from '../lib/generate.js';
import { startOnce } from './startup.js';

const MB = 1e6;

/**
 * `shared`: `{ keys, dataDir, rootKey, events, ms }` of a data set generated for the other parts, with
 * the same backing keys per key, used for its size instead of generating one (and left in place).
 */
export async function run({ rounds, rootKey, sizes, backingKeysPerKey, threads, cleanup, shared }) {
  const measured = [];
  for (const keys of sizes) {
    const reuse = shared !== undefined && shared.keys === keys;
    const dataDir = reuse ? shared.dataDir : tempDir(`scale-${keys}`);
    const sizeRootKey = reuse ? shared.rootKey : rootKey;
    let generated;
    if (reuse) generated = { events: shared.events, ms: shared.ms };
    else {
      cleanup.push(dataDir);
      const generator = new LedgerGenerator({ rootKey, keys, backingKeysPerKey, threads });
      try {
        generated = await generator.keys(dataDir);
      } finally {
        await generator.close();
      }
    }
    log(
      `scaling: ${reuse ? 'reused' : 'generated'} ${keys.toLocaleString('en')} keys (${generated.events.toLocaleString('en')} events)`,
    );
    // The row is about restarts. A first start is made (and reported) only where no view snapshot is
    // there yet: the shared set, after the startup part, has one, and its first start is that part's figure.
    const hasSnapshot = readdirSync(dataDir).some((name) => name.includes('.snapshot'));
    const first = hasSnapshot ? undefined : await startOnce(dataDir, sizeRootKey);
    const restarts = [];
    for (let r = 0; r < rounds; r++) restarts.push(await startOnce(dataDir, sizeRootKey));
    if (!reuse) rmSync(dataDir, { recursive: true, force: true });
    const entry = {
      keys,
      events: generated.events,
      reused: reuse,
      generationS: round(generated.ms / 1000, 1),
      firstStartS: first ? round(first.timings.createToReadyMs / 1000, 2) : null,
      restartS: round(median(restarts.map((x) => x.timings.createToReadyMs)) / 1000, 2),
      restartCpuS: round(median(restarts.map((x) => x.timings.cpuCreateToReadyMs)) / 1000, 2),
      rssFirstMB: first ? round(first.memory.rss / MB, 0) : null,
      rssRestartMB: round(median(restarts.map((x) => x.memory.rss)) / MB, 0),
      // Whole-process bytes per key (the fixed cost of the process included): an upper bound.
      rssBytesPerKeyRestart: round(median(restarts.map((x) => x.memory.rss)) / keys, 0),
      heapUsedRestartMB: round(median(restarts.map((x) => x.memory.heapUsed)) / MB, 0),
    };
    measured.push(entry);
    log(
      `scaling: ${keys.toLocaleString('en')} keys: first start ${entry.firstStartS ?? '(not made)'} s, ` +
        `restart ${entry.restartS} s, RSS ${entry.rssFirstMB ?? '—'} / ${entry.rssRestartMB} MB`,
    );
  }
  // Growth between consecutive sizes, against the growth in keys, and the marginal bytes per key.
  const steps = measured.slice(1).map((big, i) => {
    const small = measured[i];
    const keysRatio = big.keys / small.keys;
    return {
      from: small.keys,
      to: big.keys,
      keysRatio,
      restartRatio: round(big.restartS / small.restartS, 2),
      rssRatio: round(big.rssRestartMB / small.rssRestartMB, 2),
      rssBytesPerKey: round(((big.rssRestartMB - small.rssRestartMB) * MB) / (big.keys - small.keys), 0),
      heapBytesPerKey: round(((big.heapUsedRestartMB - small.heapUsedRestartMB) * MB) / (big.keys - small.keys), 0),
    };
  });
  const last = measured[measured.length - 1];
  const lastStep = steps[steps.length - 1];
  return [
    {
      id: 'scaling_restart',
      label: `Restart from snapshot, ${last.keys.toLocaleString('en')} keys (scaling)`,
      value: last.restartS,
      details: { sizes: measured, steps },
    },
    {
      id: 'scaling_rss_growth',
      label: `RSS growth ${lastStep?.from.toLocaleString('en')} → ${last.keys.toLocaleString('en')} keys ÷ key growth (${lastStep?.keysRatio}×)`,
      value: lastStep ? lastStep.rssRatio / lastStep.keysRatio : NaN,
      details: { steps },
    },
    {
      id: 'scaling_restart_growth',
      label: `Restart growth ${lastStep?.from.toLocaleString('en')} → ${last.keys.toLocaleString('en')} keys ÷ key growth (${lastStep?.keysRatio}×)`,
      value: lastStep ? lastStep.restartRatio / lastStep.keysRatio : NaN,
      details: { steps },
    },
    {
      id: 'scaling_bytes_per_key',
      label: `RSS bytes per key, ${lastStep?.from.toLocaleString('en')} → ${last.keys.toLocaleString('en')} keys (marginal)`,
      value: lastStep ? lastStep.rssBytesPerKey : NaN,
      details: { steps },
    },
  ];
}
