// Usage events written per (simulated) hour under a steady mixed load, in process: a full app from
// createKeyledgerServer on a ManualClock, requests through KmsOperations.dispatch (the path the
// controller takes, which counts each use), the flush run every KEYLEDGER_USAGE_FLUSH_MS of simulated
// time as the recorder's timer would. The clock moves one second per second of load, so an hour of
// usage takes as long as its requests do, not an hour.
// Env: the server config (loadConfig), BENCH_USAGE_KEYS (1000), BENCH_USAGE_PRINCIPALS (10),
// BENCH_USAGE_RATE (requests per simulated second, 100), BENCH_USAGE_MINUTES (15: events per hour are
// scaled from them, against the combinations used in them, the stricter floor), BENCH_USAGE_FLUSH_MS
// (the server's default, 10000).
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyledgerServer, EVENT_STORE, loadConfig, UsageRecorder } from '@keyledger/app';
import { ManualClock, USAGE_EVENT_TYPES } from '@keyledger/ledger';
import { KmsOperations } from '../../apps/keyledger/dist/kms/kms-operations.js';
import { childMain, round } from '../lib/common.js';

const num = (name, fallback) => Number(process.env[name] || fallback);
const KEYS = num('BENCH_USAGE_KEYS', 1000);
const PRINCIPALS = num('BENCH_USAGE_PRINCIPALS', 10);
const RATE = num('BENCH_USAGE_RATE', 100);
const MINUTES = num('BENCH_USAGE_MINUTES', 15);
const FLUSH_MS = num('BENCH_USAGE_FLUSH_MS', 10_000);
/** Every tenth key has been rotated once: its old ciphertexts decrypt under the older backing key. */
const ROTATED_EVERY = 10;

const principals = Array.from({ length: PRINCIPALS }, (_, i) => ({
  principal: `arn:aws:iam::111122223333:user/app-${i}`,
  accessKeyId: `AKIABENCHUSAGE${String(i).padStart(6, '0')}`,
  sourceAddress: `10.0.0.${i + 1}`,
}));
const context = (actor) => ({ actor, requestId: randomUUID() });

/** ledger.db with its WAL: appended pages sit in the WAL until a checkpoint, so growth bounds what was written. */
function ledgerBytes() {
  const size = (name) => {
    try {
      return statSync(join(process.env.KEYLEDGER_DATA_DIR, name)).size;
    } catch {
      return 0;
    }
  };
  return size('ledger.db') + size('ledger.db-wal');
}

/** The log's last position: only usage appended after it is counted. */
async function lastPosition(store) {
  let after = 'start';
  for (;;) {
    const page = await store.readAll({ after, maxCount: 4096 });
    if (page.length > 0) after = page[page.length - 1].position;
    if (page.length < 4096) return after;
  }
}

async function usageEventsAfter(store, position) {
  let count = 0;
  let bytes = 0;
  let after = position;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 4096 });
    for (const event of page) {
      if (!USAGE_EVENT_TYPES.has(event.type)) continue;
      count++;
      bytes += JSON.stringify(event.data).length + JSON.stringify(event.metadata).length;
    }
    if (page.length < 4096) return { count, bytes };
    after = page[page.length - 1].position;
  }
}

await childMain(async () => {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const config = { ...loadConfig(process.env), usageFlushMs: 0 };
  const app = await createKeyledgerServer({ config, clock, logger: ['error'] });
  await app.init();
  try {
    const operations = app.get(KmsOperations);
    const recorder = app.get(UsageRecorder);
    const store = app.get(EVENT_STORE);
    const admin = principals[0];
    const keys = [];
    for (let i = 0; i < KEYS; i++) {
      const keyId = (await operations.dispatch('CreateKey', {}, context(admin))).KeyMetadata.KeyId;
      const old = (await operations.dispatch('Encrypt', { KeyId: keyId, Plaintext: randomBytes(32) }, context(admin)))
        .CiphertextBlob;
      if (i % ROTATED_EVERY === 0) await operations.dispatch('RotateKeyOnDemand', { KeyId: keyId }, context(admin));
      keys.push({ keyId, old });
    }
    await recorder.flush();
    const head = await lastPosition(store);
    const bytesBefore = ledgerBytes();

    const combinations = new Set();
    let requests = 0;
    let sinceFlush = 0;
    let pick = 0;
    const started = performance.now();
    for (let second = 0; second < MINUTES * 60; second++) {
      clock.advance(1000);
      sinceFlush += 1000;
      for (let r = 0; r < RATE; r++) {
        // A steady mix: a third each of Encrypt, Decrypt (of a ciphertext made before the hour) and
        // GenerateDataKey, spread over every key and principal.
        pick = (pick + 7919) % (KEYS * PRINCIPALS * 3);
        const key = keys[pick % KEYS];
        const actor = principals[Math.floor(pick / KEYS) % PRINCIPALS];
        const kind = Math.floor(pick / (KEYS * PRINCIPALS));
        const [operation, input] =
          kind === 0
            ? ['Encrypt', { KeyId: key.keyId, Plaintext: randomBytes(32) }]
            : kind === 1
              ? ['Decrypt', { CiphertextBlob: key.old }]
              : ['GenerateDataKey', { KeyId: key.keyId, KeySpec: 'AES_256' }];
        const output = await operations.dispatch(operation, input, context(actor));
        combinations.add(`${key.keyId} ${output.KeyMaterialId} ${actor.principal} ${operation}`);
        requests++;
      }
      if (sinceFlush >= FLUSH_MS) {
        sinceFlush = 0;
        await recorder.flush();
      }
    }
    await recorder.flush();
    const loadSeconds = (performance.now() - started) / 1000;
    const diskBytes = ledgerBytes() - bytesBefore;
    const { count, bytes } = await usageEventsAfter(store, head);
    const perHour = (count * 60) / MINUTES;
    const bound = combinations.size * 60;
    return [
      {
        id: 'usage_events_per_hour',
        value: perHour,
        floor: bound,
        ratio: perHour / bound,
        details: {
          keys: KEYS,
          principals: PRINCIPALS,
          requestsPerSimulatedSecond: RATE,
          simulatedMinutes: MINUTES,
          flushMs: FLUSH_MS,
          requests,
          distinctCombinations: combinations.size,
          usageEvents: count,
          eventsPerRequest: round(count / requests, 4),
          // What one aggregate costs in the ledger (data + metadata JSON, before the store's row overhead).
          bytesPerEvent: round(bytes / Math.max(count, 1), 1),
          // ledger.db + WAL growth per event: rows, indexes and WAL frames (an upper bound of what stays).
          diskBytesPerEvent: round(diskBytes / Math.max(count, 1), 1),
          // The structural bound: one event per combination per flush window and per minute boundary it spans.
          worstCasePerHour: combinations.size * (3_600_000 / FLUSH_MS + 60),
          loadSeconds: round(loadSeconds, 1),
        },
      },
    ];
  } finally {
    await app.close();
  }
});
