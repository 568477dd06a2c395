// The usage ledger's two figures (issue 13):
// - Decrypt over HTTP with usage recording, against the same build with recording off
//   (KEYLEDGER_USAGE_RECORDING=off, a switch that exists for this figure): two server processes side by
//   side, one autocannon process, the load alternating between them (K F, F K, …);
// - usage events written per hour under a steady mixed load (usage-volume-child.js), against the bound
//   distinct (key, backing key, principal, operation) combinations × 60.
import { randomBytes } from 'node:crypto';
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
  serviceGroup,
  tempDir,
} from '../lib/common.js';
import { callKms, signKms } from '../lib/sign.js';

const SERVER = join(BENCH_DIR, 'lib', 'server-child.js');
const LOADGEN = join(BENCH_DIR, 'lib', 'loadgen-child.js');

async function decryptWithRecording({ rounds, connections, durationSec, warmupSec }) {
  const onDir = tempDir('usage-on');
  const offDir = tempDir('usage-off');
  const { start, stopAll } = serviceGroup();
  try {
    // Recording on at the server's defaults: the timer flushes every 10 s while the load runs.
    const on = await start(SERVER, {
      args: ['keyledger'],
      env: serverEnv({ dataDir: onDir, rootKey: newRootKeyBase64() }),
    });
    const off = await start(SERVER, {
      args: ['keyledger'],
      env: serverEnv({ dataDir: offDir, rootKey: newRootKeyBase64(), extra: { KEYLEDGER_USAGE_RECORDING: 'off' } }),
    });
    const loadgen = await start(LOADGEN);
    const request = async (port) => {
      const keyId = (await callKms(port, 'CreateKey', { Description: 'bench usage' })).KeyMetadata.KeyId;
      const plaintext = randomBytes(32).toString('base64');
      const blob = (await callKms(port, 'Encrypt', { KeyId: keyId, Plaintext: plaintext })).CiphertextBlob;
      return signKms(port, 'Decrypt', { CiphertextBlob: blob });
    };
    const onReq = await request(on.info.port);
    const offReq = await request(off.info.port);
    const load = (port, req, seconds) =>
      loadgen.request({
        type: 'run',
        spec: { url: `http://127.0.0.1:${port}`, connections, durationSec: seconds, warmupSec: 0, request: req },
      });
    await load(on.info.port, onReq, warmupSec);
    await load(off.info.port, offReq, warmupSec);
    const k = [];
    const f = [];
    // The order alternates (K F, F K, …): whichever side runs first in a round gets no edge over the rounds.
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        k.push(await load(on.info.port, onReq, durationSec));
        f.push(await load(off.info.port, offReq, durationSec));
      } else {
        f.push(await load(off.info.port, offReq, durationSec));
        k.push(await load(on.info.port, onReq, durationSec));
      }
    }
    for (const x of [...k, ...f])
      if (x.non2xx || x.errors || x.wrongStatus) throw new Error(`Decrypt: ${x.non2xx} non-2xx, ${x.errors} errors`);
    const value = median(k.map((x) => x.requestsPerSec));
    const floor = median(f.map((x) => x.requestsPerSec));
    const ratio = median(k.map((x, i) => x.requestsPerSec / f[i].requestsPerSec));
    log(`Decrypt with usage recording: ${Math.round(value)} req/s vs off ${Math.round(floor)} (ratio ${round(ratio)})`);
    return {
      id: 'usage_decrypt_http',
      value,
      floor,
      ratio,
      details: {
        connections,
        durationSec,
        rounds: k.map((x, i) => ({ recording: round(x.requestsPerSec, 0), off: round(f[i].requestsPerSec, 0) })),
        recordingLatencyMs: k[Math.floor(k.length / 2)].latencyMs,
        offLatencyMs: f[Math.floor(f.length / 2)].latencyMs,
      },
    };
  } finally {
    await stopAll();
    rmSync(onDir, { recursive: true, force: true });
    rmSync(offDir, { recursive: true, force: true });
  }
}

async function eventsPerHour(env) {
  const dataDir = tempDir('usage-volume');
  try {
    const [row] = await runChild(join(BENCH_DIR, 'parts', 'usage-volume-child.js'), {
      env: { ...serverEnv({ dataDir, rootKey: newRootKeyBase64() }), ...env },
      timeoutMs: 900_000,
    });
    const d = row.details;
    log(
      `usage events per hour: ${Math.round(row.value)} for ${d.distinctCombinations} combinations ` +
        `(bound ${row.floor}, ratio ${round(row.ratio, 3)}; ${d.requests} requests, ${d.bytesPerEvent} B/event)`,
    );
    return row;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(options) {
  return [await decryptWithRecording(options), await eventsPerHour(options.volumeEnv ?? {})];
}
