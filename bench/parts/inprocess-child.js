// In-process figures, through the server's own code path minus HTTP: a full
// Nest app from createKeyledgerServer, app.init() (no listen), and the
// KmsOperations table the controller calls after SigV4 and JSON parsing.
//
//   node inprocess-child.js decrypt  → Decrypt vs raw HKDF + AES-256-GCM in Node
//   node inprocess-child.js depth    → RotateKeyOnDemand and Decrypt on a key with
//                                      1,000 backing keys vs the same on a fresh key
// Env: the server config (loadConfig), BENCH_ROUNDS, BENCH_SECONDS; depth: BENCH_DEPTH,
// BENCH_DEPTH_ROTATIONS (per side per round), BENCH_DEPTH_DECRYPTS (per side per round).
import { randomBytes } from 'node:crypto';
import { CryptoOperations } from '../../apps/keyledger/dist/cryptography/crypto-operations.js';
import { childMain, median, round } from '../lib/common.js';
import { floorOpenHkdf, floorSealHkdf } from '../lib/floor-cipher.js';
import { interleaved, withInProcessApp } from '../lib/in-process-app.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const mode = process.argv[2];

/** Calls `op` back to back (awaiting each) for about `seconds`; returns ops/s. */
async function rate(op, seconds = SECONDS) {
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const t = performance.now();
  while (performance.now() < until) {
    for (let i = 0; i < 64; i++) await op();
    n += 64;
  }
  return (n / (performance.now() - t)) * 1000;
}

async function decryptFigure() {
  return withInProcessApp({}, async ({ app, config, table, context }) => {
    const crypto = app.get(CryptoOperations);
    const keyId = (await table.CreateKey({}, context())).KeyMetadata.KeyId;
    const dataKey = randomBytes(32);
    const { CiphertextBlob } = await table.Encrypt({ KeyId: keyId, Plaintext: dataKey }, context());
    const check = await table.Decrypt({ CiphertextBlob }, context());
    if (!check.Plaintext.equals(dataKey)) throw new Error('decrypt round trip failed');

    // The floor: the same blob layout and size, HKDF-SHA256 + AES-256-GCM, backing key in memory.
    const backingKey = randomBytes(32);
    const floorBlob = floorSealHkdf(backingKey, dataKey);
    const viaTable = () => table.Decrypt({ CiphertextBlob }, context());
    const direct = () =>
      crypto.decrypt({
        region: config.region,
        ciphertextBlob: CiphertextBlob,
        encryptionContext: undefined,
        keyId: undefined,
        dryRun: false,
      });
    const raw = async () => floorOpenHkdf(backingKey, floorBlob);
    await rate(viaTable, 0.5);
    await rate(raw, 0.5);
    const k = [];
    const f = [];
    const q = [];
    for (let r = 0; r < ROUNDS; r++) {
      k.push(await rate(viaTable));
      f.push(await rate(raw));
      q.push(await rate(direct, SECONDS / 2));
    }
    return {
      id: 'decrypt_in_process',
      value: median(k),
      floor: median(f),
      ratio: median(k.map((x, i) => x / f[i])),
      details: {
        path: 'KmsOperations.table.Decrypt (→ CryptoOperations.decrypt, no bus), sequential awaits',
        rounds: k.map((x, i) => ({ keyledger: round(x, 0), floor: round(f[i], 0) })),
        cryptoOperationsDirectOpsPerSec: round(median(q), 0),
      },
    };
  });
}

async function depthFigure() {
  const BACKING_KEYS = Number(process.env.BENCH_DEPTH ?? 1000);
  const ROTATIONS = Number(process.env.BENCH_DEPTH_ROTATIONS ?? 150);
  const DECRYPTS = Number(process.env.BENCH_DEPTH_DECRYPTS ?? 4000);
  // The "fresh" side is a new key every FRESH_FOR rotations, so it stays fresh (1 to
  // FRESH_FOR+1 backing keys) however many rotations a round has.
  const FRESH_FOR = 40;
  const method =
    'interleaved per op, deep and fresh in turn (deep, fresh, fresh, deep, …: each side goes first half the time), ' +
    'each op timed alone with performance.now(), summed per side per round; value and floor are medians of the per-round means';
  return withInProcessApp({}, async ({ table, context }) => {
    const dataKey = randomBytes(32);
    const newKey = async () => (await table.CreateKey({}, context())).KeyMetadata.KeyId;
    const encryptUnder = async (keyId) =>
      (await table.Encrypt({ KeyId: keyId, Plaintext: dataKey }, context())).CiphertextBlob;

    // The deep key: a ciphertext under its first backing key, then 999 rotations
    // through the same table (durable, as a client would make them).
    const buildStarted = performance.now();
    const deep = await newKey();
    const deepOldest = await encryptUnder(deep);
    for (let i = 1; i < BACKING_KEYS; i++) await table.RotateKeyOnDemand({ KeyId: deep }, context());
    const deepCurrent = await encryptUnder(deep);
    const buildMs = performance.now() - buildStarted;

    const decrypt = (blob) => () => table.Decrypt({ CiphertextBlob: blob }, context());
    let fresh;
    let deepBackingKeys = BACKING_KEYS;
    const rotateDeep = () => {
      deepBackingKeys++;
      return table.RotateKeyOnDemand({ KeyId: deep }, context());
    };
    const rotateFresh = () => table.RotateKeyOnDemand({ KeyId: fresh }, context());
    /** `count` rotations of each side, a new fresh key (made untimed) every FRESH_FOR. */
    const rotations = async (count) => {
      const sums = { deep: 0, fresh: 0 };
      for (let done = 0; done < count;) {
        const n = Math.min(FRESH_FOR, count - done);
        fresh = await newKey();
        const ms = await interleaved(n, { deep: rotateDeep, fresh: rotateFresh });
        sums.deep += ms.deep * n;
        sums.fresh += ms.fresh * n;
        done += n;
      }
      return { deep: sums.deep / count, fresh: sums.fresh / count };
    };

    // Warm-up, both sides alike.
    {
      fresh = await newKey();
      const freshBlob = await encryptUnder(fresh);
      await interleaved(500, {
        deep: decrypt(deepOldest),
        deepCurrent: decrypt(deepCurrent),
        fresh: decrypt(freshBlob),
      });
      await rotations(10);
    }
    const rot = { deep: [], fresh: [] };
    const dec = { deep: [], fresh: [], deepCurrent: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // A new fresh key every round (and every FRESH_FOR rotations), so "fresh" stays fresh.
      fresh = await newKey();
      const freshBlob = await encryptUnder(fresh);
      // deepCurrent (details only) sits between the two compared sides: deep, current, fresh, fresh, current, deep, …
      const d = await interleaved(DECRYPTS, {
        deep: decrypt(deepOldest),
        deepCurrent: decrypt(deepCurrent),
        fresh: decrypt(freshBlob),
      });
      dec.deep.push(d.deep * 1000);
      dec.fresh.push(d.fresh * 1000);
      dec.deepCurrent.push(d.deepCurrent * 1000);
      const t = await rotations(ROTATIONS);
      rot.deep.push(t.deep);
      rot.fresh.push(t.fresh);
    }
    const ratio = (a, b) => median(a.map((x, i) => x / b[i]));
    return [
      {
        id: 'rotate_deep_key',
        value: median(rot.deep),
        floor: median(rot.fresh),
        ratio: ratio(rot.deep, rot.fresh),
        details: {
          backingKeys: BACKING_KEYS,
          deepBackingKeysAtEnd: deepBackingKeys,
          rotationsPerRound: ROTATIONS,
          freshKeyEvery: FRESH_FOR,
          buildMs: round(buildMs, 0),
          path: 'KmsOperations.table.RotateKeyOnDemand, sequential, durable',
          method,
          rounds: rot.deep.map((x, i) => ({ deepMs: round(x, 3), freshMs: round(rot.fresh[i], 3) })),
        },
      },
      {
        id: 'decrypt_deep_key',
        value: median(dec.deep),
        floor: median(dec.fresh),
        ratio: ratio(dec.deep, dec.fresh),
        details: {
          backingKeys: BACKING_KEYS,
          ciphertext: "under the deep key's FIRST (oldest) backing key",
          decryptsPerRound: DECRYPTS,
          method: `${method}; a third side, Decrypt under the deep key's newest material at the start (deepCurrentMaterialUs), runs between the two`,
          deepCurrentMaterialUs: round(median(dec.deepCurrent), 2),
          rounds: dec.deep.map((x, i) => ({ deepUs: round(x, 2), freshUs: round(dec.fresh[i], 2) })),
        },
      },
    ];
  });
}

childMain(() => (mode === 'depth' ? depthFigure() : decryptFigure()));
