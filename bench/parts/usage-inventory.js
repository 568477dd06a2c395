// The inventory's last-use column on a ledger with usage (issue 13: "inventory stays within its figure on a
// ledger that also holds a month of usage"), the server's way (its projection up, the report built from it):
// each key's last use read from its usage stream backwards ('scan', the read side without a LastUseIndex)
// against the projection's LastUseIndex ('index'), alternating in one process, over the same cache.
//   node usage-inventory.js <ledger.db with a month of usage (usage-startup.js's data)>
//   BENCH_ROUNDS (7). BENCH_INVENTORY_KEYS=<dir>: also a generated ledger of BENCH_KEYS keys (100,000) in
//   <dir> (made there if absent): its inventory without usage, then with one flush on every key.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, SqliteEventStore } from '@keyledger/event-store';
import { KeyStateCache } from '@keyledger/key-store';
import { usageStream, USAGE_TRACKING_STREAM } from '@keyledger/ledger';
import { LastUseIndex, LedgerProjection, LedgerQueries, TimeIndex } from '@keyledger/read-models';
import { ACCOUNT_ID, REGION, median, newRootKeyBase64, round } from '../lib/common.js';
import { LedgerGenerator, LEDGER_FILE } from '../lib/generate.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const options = { region: REGION, accountId: ACCOUNT_ID, clock: { now: () => new Date() } };
const ms = async (fn) => {
  const t = performance.now();
  const result = await fn();
  return [performance.now() - t, result];
};

/** The server's read side over `file`: scan and index inventories, first reports apart, then alternating. */
async function compare(file, label) {
  const store = new SqliteEventStore(file);
  try {
    const cache = new KeyStateCache();
    const times = new TimeIndex();
    const lastUses = new LastUseIndex();
    const projection = new LedgerProjection(store, cache, times, { lastUses });
    await projection.start();
    const position = () => projection.position;
    // One time for every report: a key's material age is counted to it, so reports at two times differ.
    const asOf = new Date();
    const scan = new LedgerQueries(store, options, { cache, times, position });
    const index = new LedgerQueries(store, options, { cache, times, lastUses, position });
    const [scanFirstMs, a] = await ms(() => scan.inventory(asOf));
    const [indexFirstMs, b] = await ms(() => index.inventory(asOf));
    const same = (x, y) => JSON.stringify(x.keys) === JSON.stringify(y.keys);
    if (!same(a, b)) throw new Error('the two inventories differ');
    const scans = [];
    const indexed = [];
    const loads = [];
    for (let r = 0; r < ROUNDS; r++) {
      loads.push(loadavg()[0]);
      const order = r % 2 ? [scan, index] : [index, scan];
      for (const side of order) {
        const [t, report] = await ms(() => side.inventory(asOf));
        if (!same(report, a)) throw new Error('an inventory changed');
        (side === scan ? scans : indexed).push(t);
      }
    }
    await projection.stop();
    const used = a.keys.filter((k) => k.lastUsedAt !== null).length;
    console.log(
      JSON.stringify({
        ledger: label,
        keys: a.keys.length,
        keysWithALastUse: used,
        scanMs: round(median(scans), 1),
        indexMs: round(median(indexed), 1),
        ratioScanOverIndex: round(median(scans.map((s, i) => s / indexed[i])), 1),
        firstReportMs: { scan: round(scanFirstMs, 1), indexLearningEveryKey: round(indexFirstMs, 1) },
        rounds: { scan: scans.map((x) => round(x, 1)), index: indexed.map((x) => round(x, 1)) },
        loadAverage: loads.map((l) => round(l, 1)),
      }),
    );
  } finally {
    await store.close();
  }
}

/** One usage flush on every key of the generated ledger (a tracking start first, as the recorder writes). */
async function oneFlushPerKey(file) {
  const store = new SqliteEventStore(file);
  try {
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const metadata = { actor: { principal: 'keyledger:usage', accessKeyId: null, sourceAddress: null }, time: at };
    await store.appendToStream(
      USAGE_TRACKING_STREAM,
      [{ type: 'UsageTrackingStarted', data: { startedAt: at }, metadata: { ...metadata, requestId: randomUUID() } }],
      { expectedRevision: NO_STREAM },
    );
    const queries = new LedgerQueries(store, options);
    const { keys } = await queries.inventory(new Date());
    for (const key of keys) {
      const data = {
        region: REGION,
        keyId: key.keyId,
        keyMaterialId: null,
        principal: 'arn:aws:iam::111122223333:user/app',
        operation: 'Decrypt',
        minute: at.slice(0, 17) + '00.000Z',
        count: 1,
        firstAt: at,
        lastAt: at,
        lastRequestId: randomUUID(),
        sourceAddresses: [],
      };
      const event = { type: 'KeyUsageRecorded', data, metadata: { ...metadata, requestId: randomUUID() } };
      await store.appendToStream(usageStream(key.keyId), [event], { expectedRevision: NO_STREAM });
    }
  } finally {
    await store.close();
  }
}

await compare(process.argv[2], 'hot keys with a month of hourly usage each');
const bigDir = process.env.BENCH_INVENTORY_KEYS;
if (bigDir) {
  const file = join(bigDir, LEDGER_FILE);
  if (!existsSync(file)) {
    mkdirSync(bigDir, { recursive: true });
    const keys = Number(process.env.BENCH_KEYS ?? 100_000);
    await new LedgerGenerator({ rootKey: newRootKeyBase64(), keys, backingKeysPerKey: 3, threads: 2 }).keys(bigDir);
  }
  const store = new SqliteEventStore(file);
  const tracked = (await store.streamRevision(USAGE_TRACKING_STREAM)) !== NO_STREAM;
  await store.close();
  if (!tracked) {
    await compare(file, 'generated keys, no usage');
    await oneFlushPerKey(file);
  }
  await compare(file, 'generated keys, one usage flush each');
}
