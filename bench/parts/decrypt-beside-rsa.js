// p99 latency of symmetric Decrypts over HTTP while RSA-4096 CreateKeys run beside them
// (issue 14: key generation runs off the event loop, so one slow CreateKey does not stall
// Decrypts on other keys), against the p99 of the same Decrypts alone, in the same run on
// the same server: A (alone) and B (beside CreateKeys) alternate, A B A B A B.
// The Decrypt load comes from autocannon in its own process; the CreateKeys from this
// process, `createKeyConcurrency` at a time, for as long as the Decrypt load lasts.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, log, median, newRootKeyBase64, round, serverEnv, startService, tempDir } from '../lib/common.js';
import { callKms, signKms } from '../lib/sign.js';

const SERVER = join(BENCH_DIR, 'lib', 'server-child.js');
const LOADGEN = join(BENCH_DIR, 'lib', 'loadgen-child.js');

/**
 * CreateKey RSA_4096 in `concurrency` loops until `stopped()`: started before the Decrypt load and
 * ended after it, so key generation runs throughout the measured window (one RSA-4096 generation can
 * take longer than the window on a loaded machine). Resolves with how many completed in all.
 */
async function createKeysUntil(port, concurrency, stopped) {
  let created = 0;
  const loop = async () => {
    while (!stopped()) {
      await callKms(port, 'CreateKey', { KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY', Description: 'bench rsa' });
      created++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return created;
}

export async function run({ rounds, connections, durationSec, warmupSec, createKeyConcurrency }) {
  const dataDir = tempDir('rsa-beside');
  const services = [];
  try {
    const keyledger = await startService(SERVER, {
      args: ['keyledger'],
      env: serverEnv({ dataDir, rootKey: newRootKeyBase64(), extra: { KEYLEDGER_LOG_LEVEL: 'error' } }),
    });
    services.push(keyledger);
    const loadgen = await startService(LOADGEN);
    services.push(loadgen);
    const port = keyledger.info.port;

    const keyId = (await callKms(port, 'CreateKey', { Description: 'bench decrypt beside rsa' })).KeyMetadata.KeyId;
    const blob = (await callKms(port, 'Encrypt', { KeyId: keyId, Plaintext: randomBytes(32).toString('base64') }))
      .CiphertextBlob;
    const request = await signKms(port, 'Decrypt', { CiphertextBlob: blob });
    const decrypts = (seconds) =>
      loadgen.request({
        type: 'run',
        spec: { url: `http://127.0.0.1:${port}`, connections, durationSec: seconds, request },
      });
    await decrypts(warmupSec);

    const alone = [];
    const beside = [];
    for (let r = 0; r < rounds; r++) {
      alone.push({ ...(await decrypts(durationSec)), created: 0 });
      let done = false;
      const creating = createKeysUntil(port, createKeyConcurrency, () => done);
      const measured = await decrypts(durationSec);
      done = true;
      beside.push({ ...measured, created: await creating });
    }
    for (const x of [...alone, ...beside])
      if (x.non2xx || x.errors || x.wrongStatus) throw new Error(`Decrypt: ${x.non2xx} non-2xx, ${x.errors} errors`);

    const value = median(beside.map((x) => x.latencyMs.p99));
    const floor = median(alone.map((x) => x.latencyMs.p99));
    const ratio = median(beside.map((x, i) => x.latencyMs.p99 / alone[i].latencyMs.p99));
    log(
      `Decrypt p99 beside RSA-4096 CreateKeys: ${value} ms vs ${floor} ms alone (ratio ${round(ratio)}); ` +
        `CreateKeys per round ${beside.map((x) => x.created).join(', ')}`,
    );
    return {
      id: 'decrypt_p99_beside_rsa_create_key',
      value,
      floor,
      ratio,
      details: {
        connections,
        durationSec,
        createKeyConcurrency,
        rounds: alone.map((a, i) => ({
          aloneP99Ms: a.latencyMs.p99,
          besideP99Ms: beside[i].latencyMs.p99,
          aloneReqPerSec: round(a.requestsPerSec, 0),
          besideReqPerSec: round(beside[i].requestsPerSec, 0),
          rsa4096CreateKeys: beside[i].created,
        })),
      },
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
