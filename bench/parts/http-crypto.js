// Decrypt, Encrypt and GenerateDataKey over HTTP, SigV4-signed, many connections,
// against a bare Fastify floor (same JSON, one AES-256-GCM op with a key in memory);
// and the key family's Sign (ECC_NIST_P256) and GenerateMac (HMAC_256) against the same
// floor doing one crypto.sign or one HMAC.
// Server, floor and autocannon each run in their own process; the two servers stay
// up side by side and the load alternates between them: K F K F K F.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, log, median, newRootKeyBase64, round, serverEnv, serviceGroup, tempDir } from '../lib/common.js';
import { floorSeal } from '../lib/floor-cipher.js';
import { callKms, signKms } from '../lib/sign.js';
import { hasWrk, runWrk } from '../lib/wrk.js';

const SERVER = join(BENCH_DIR, 'lib', 'server-child.js');
const LOADGEN = join(BENCH_DIR, 'lib', 'loadgen-child.js');

export async function run({ rounds, connections, durationSec, warmupSec }) {
  const dataDir = tempDir('http');
  const rootKey = newRootKeyBase64();
  const floorKey = randomBytes(32);
  const { start, stopAll } = serviceGroup();
  try {
    const keyledger = await start(SERVER, { args: ['keyledger'], env: serverEnv({ dataDir, rootKey }) });
    const floor = await start(SERVER, { args: ['floor'], env: { BENCH_FLOOR_KEY: floorKey.toString('base64') } });
    const loadgen = await start(LOADGEN);
    const kPort = keyledger.info.port;
    const fPort = floor.info.port;

    // One key; a 32-byte data key encrypted under it (Keyledger) and under the floor's key.
    const keyId = (await callKms(kPort, 'CreateKey', { Description: 'bench http' })).KeyMetadata.KeyId;
    const dataKey = randomBytes(32);
    const kBlob = (await callKms(kPort, 'Encrypt', { KeyId: keyId, Plaintext: dataKey.toString('base64') }))
      .CiphertextBlob;
    const fBlob = floorSeal(floorKey, dataKey).toString('base64');
    if (kBlob.length !== fBlob.length) throw new Error(`ciphertext sizes differ: ${kBlob.length} vs ${fBlob.length}`);
    const signingKeyId = (
      await callKms(kPort, 'CreateKey', {
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        Description: 'bench sign',
      })
    ).KeyMetadata.KeyId;
    const macKeyId = (
      await callKms(kPort, 'CreateKey', {
        KeySpec: 'HMAC_256',
        KeyUsage: 'GENERATE_VERIFY_MAC',
        Description: 'bench mac',
      })
    ).KeyMetadata.KeyId;
    const message = randomBytes(32).toString('base64');

    const figures = [
      { id: 'decrypt_http', operation: 'Decrypt', input: (blob) => ({ CiphertextBlob: blob }) },
      {
        id: 'encrypt_http',
        operation: 'Encrypt',
        input: () => ({ KeyId: keyId, Plaintext: dataKey.toString('base64') }),
      },
      {
        id: 'generate_data_key_http',
        operation: 'GenerateDataKey',
        input: () => ({ KeyId: keyId, KeySpec: 'AES_256' }),
      },
      {
        id: 'sign_http',
        operation: 'Sign',
        input: () => ({ KeyId: signingKeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
      },
      {
        id: 'generate_mac_http',
        operation: 'GenerateMac',
        input: () => ({ KeyId: macKeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
      },
    ];
    const results = [];
    for (const figure of figures) {
      const kReq = await signKms(kPort, figure.operation, figure.input(kBlob));
      const fReq = await signKms(fPort, figure.operation, figure.input(fBlob));
      const load = (port, request, seconds, warm) =>
        loadgen.request({
          type: 'run',
          spec: { url: `http://127.0.0.1:${port}`, connections, durationSec: seconds, warmupSec: warm, request },
        });
      // Warm both (JIT, connection setup) before the first measured round.
      await load(kPort, kReq, warmupSec, 0);
      await load(fPort, fReq, warmupSec, 0);
      const k = [];
      const f = [];
      for (let r = 0; r < rounds; r++) {
        k.push(await load(kPort, kReq, durationSec, 0));
        f.push(await load(fPort, fReq, durationSec, 0));
      }
      for (const x of [...k, ...f]) {
        if (x.non2xx || x.errors || x.wrongStatus)
          throw new Error(`${figure.operation}: ${x.non2xx} non-2xx, ${x.errors} errors`);
      }
      const value = median(k.map((x) => x.requestsPerSec));
      const floorValue = median(f.map((x) => x.requestsPerSec));
      const ratio = median(k.map((x, i) => x.requestsPerSec / f[i].requestsPerSec));
      log(
        `${figure.operation} over HTTP: ${Math.round(value)} req/s vs floor ${Math.round(floorValue)} req/s (ratio ${round(ratio)})`,
      );
      // The same figure under wrk, where it is installed: the same signed bytes, the same alternation.
      let wrk;
      if (hasWrk() && process.env.BENCH_WRK !== '0') {
        const wrkLoad = (port, request) =>
          runWrk({ url: `http://127.0.0.1:${port}`, request, connections, durationSec });
        const wk = [];
        const wf = [];
        for (let r = 0; r < rounds; r++) {
          wk.push(await wrkLoad(kPort, kReq));
          wf.push(await wrkLoad(fPort, fReq));
        }
        for (const x of [...wk, ...wf])
          if (x.non2xx) throw new Error(`${figure.operation} under wrk: ${x.non2xx} non-2xx`);
        wrk = {
          value: median(wk.map((x) => x.requestsPerSec)),
          floor: median(wf.map((x) => x.requestsPerSec)),
          ratio: median(wk.map((x, i) => x.requestsPerSec / wf[i].requestsPerSec)),
          rounds: wk.map((x, i) => ({ keyledger: round(x.requestsPerSec, 0), floor: round(wf[i].requestsPerSec, 0) })),
        };
        log(
          `${figure.operation} over HTTP under wrk: ${Math.round(wrk.value)} req/s vs floor ${Math.round(wrk.floor)} req/s (ratio ${round(wrk.ratio)})`,
        );
      }
      results.push({
        id: figure.id,
        value,
        floor: floorValue,
        ratio,
        details: {
          connections,
          durationSec,
          rounds: k.map((x, i) => ({ keyledger: round(x.requestsPerSec, 0), floor: round(f[i].requestsPerSec, 0) })),
          keyledgerLatencyMs: k[Math.floor(k.length / 2)].latencyMs,
          floorLatencyMs: f[Math.floor(f.length / 2)].latencyMs,
          ...(wrk === undefined ? {} : { wrk }),
        },
      });
    }
    return results;
  } finally {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
