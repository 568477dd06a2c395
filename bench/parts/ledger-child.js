// The ledger surface (issue 5): a key's state as of a time on a key with 1,000
// events; the inventory report over every generated key; and verify over the
// 1,000,000-event ledger, beside the floor of a raw read of the same events
// (raw better-sqlite3 pages + JSON.parse), alternating.
//   node ledger-child.js <keys ledger.db> <events ledger.db>    env: BENCH_ROUNDS
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STREAM, SqliteEventStore } from '@keyledger/event-store';
import { integrityOf, keyStreamName, withIntegrity } from '@keyledger/ledger';
import { verifyLedger } from '@keyledger/integrity';
import { KeyStateCache } from '@keyledger/key-store';
import { LedgerProjection, LedgerQueries, TimeIndex } from '@keyledger/read-models';
import { ACCOUNT_ID, REGION, childMain, median, round } from '../lib/common.js';

const [keysFile, eventsFile] = process.argv.slice(2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VERIFY_ROUNDS = Math.min(ROUNDS, 2);
const PAGE = 4096;
const gc = () => globalThis.gc?.();
const clock = { now: () => new Date() };
const options = { region: REGION, accountId: ACCOUNT_ID, clock };

/** A key whose stream holds `count` events, chained as the server chains them, one minute apart. */
async function deepKey(store, count) {
  const keyId = randomUUID();
  const stream = keyStreamName(keyId);
  const start = Date.now() - count * 60_000;
  const actor = { principal: 'bench', accessKeyId: null, sourceAddress: null };
  const events = [];
  let previousHash = null;
  for (let i = 0; i < count; i++) {
    const time = new Date(start + i * 60_000).toISOString();
    const type = i === 0 ? 'KeyCreated' : 'KeyDescriptionUpdated';
    const data =
      i === 0
        ? {
            keyId,
            arn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${keyId}`,
            accountId: ACCOUNT_ID,
            region: REGION,
            description: 'deep',
            keyUsage: 'ENCRYPT_DECRYPT',
            keySpec: 'SYMMETRIC_DEFAULT',
            origin: 'EXTERNAL',
            tags: [],
            createdAt: time,
          }
        : { description: `description ${i}` };
    const metadata = withIntegrity(
      { streamName: stream, revision: BigInt(i), type, data, metadata: { actor, requestId: randomUUID(), time } },
      previousHash,
    );
    previousHash = integrityOf(metadata).hash;
    events.push({ type, data, metadata });
  }
  await store.appendToStream(stream, events, { expectedRevision: NO_STREAM });
  return { keyId, start };
}

async function stateAsOf() {
  const dir = mkdtempSync(join(tmpdir(), 'keyledger-bench-deep-'));
  const store = new SqliteEventStore(join(dir, 'ledger.db'));
  try {
    const { keyId, start } = await deepKey(store, 1000);
    const queries = new LedgerQueries(store, options);
    const asOf = (i) => new Date(start + ((i * 37) % 1000) * 60_000 + 30_000);
    let t = performance.now();
    await queries.keyStateAsOf(keyId, asOf(0));
    const firstMs = performance.now() - t;
    const samples = [];
    for (let i = 1; i <= 2000; i++) {
      t = performance.now();
      const state = await queries.keyStateAsOf(keyId, asOf(i));
      samples.push(performance.now() - t);
      if (!state.description.startsWith('description') && state.description !== 'deep') throw new Error('wrong state');
    }
    return { medianMs: median(samples), firstMs };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * As the server serves it: the KeyStateCache and TimeIndex are already up (its start-up is the
 * cold-start figure), and the report is built from it. The CLI on a data
 * directory folds its own view first; that is reported apart.
 */
async function inventory() {
  const store = new SqliteEventStore(keysFile);
  try {
    gc();
    let t = performance.now();
    const cache = new KeyStateCache();
    const times = new TimeIndex();
    const projection = new LedgerProjection(store, cache, times);
    await projection.start();
    const viewMs = performance.now() - t;
    const queries = new LedgerQueries(store, options, { cache, times, position: () => projection.position });
    t = performance.now();
    const cold = await queries.inventory(new Date());
    const coldMs = performance.now() - t;
    const warm = [];
    for (let r = 0; r < ROUNDS; r++) {
      t = performance.now();
      const report = await queries.inventory(new Date());
      warm.push(performance.now() - t);
      if (report.keys.length !== cold.keys.length) throw new Error('inventories differ');
    }
    await projection.stop();
    gc();
    t = performance.now();
    const own = await new LedgerQueries(store, options).inventory(new Date());
    const ownViewMs = performance.now() - t;
    if (own.keys.length !== cold.keys.length) throw new Error('inventories differ');
    return { keys: cold.keys.length, coldMs, warmMs: median(warm), viewMs, ownViewMs };
  } finally {
    await store.close();
  }
}

async function verify() {
  gc();
  const store = new SqliteEventStore(eventsFile);
  try {
    const t = performance.now();
    const result = await verifyLedger(store, Buffer.alloc(32, 7));
    if (!result.ok) throw new Error(`the generated ledger does not verify: ${JSON.stringify(result.firstBadEvent)}`);
    return { ms: performance.now() - t, events: result.eventsChecked };
  } finally {
    await store.close();
  }
}

function rawRead() {
  gc();
  const t = performance.now();
  const db = new Database(eventsFile, { readonly: true });
  const select = db
    .prepare('SELECT position, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT ?')
    .raw();
  let after = 0;
  let events = 0;
  for (;;) {
    const rows = select.all(after, PAGE);
    if (rows.length === 0) break;
    for (const row of rows) {
      JSON.parse(row[1]);
      if (row[2] !== null) JSON.parse(row[2]);
    }
    events += rows.length;
    after = rows[rows.length - 1][0];
  }
  db.close();
  return { ms: performance.now() - t, events };
}

childMain(async () => {
  const state = await stateAsOf();
  const inv = await inventory();
  const v = [];
  const f = [];
  for (let r = 0; r < VERIFY_ROUNDS; r++) {
    v.push(await verify());
    f.push(rawRead());
  }
  const rate = (x) => (x.events / x.ms) * 1000;
  return [
    {
      id: 'state_as_of_deep_key',
      value: state.medianMs,
      details: { events: 1000, queries: 2000, firstQueryMs: round(state.firstMs, 2) },
    },
    { id: 'inventory_warm', value: inv.warmMs / 1000, details: { keys: inv.keys } },
    {
      id: 'inventory_cold',
      value: inv.coldMs / 1000,
      details: {
        keys: inv.keys,
        measured:
          "first report after the server's KeyStateCache and TimeIndex are up (their build is in the cold-start figures)",
        ledgerViewBuildSeconds: round(inv.viewMs / 1000, 2),
        cliOnDataDirSeconds: round(inv.ownViewMs / 1000, 2),
        cliOnDataDirIncludes: 'folding its own cache and time index from the whole ledger, then the report',
      },
    },
    {
      id: 'verify',
      value: median(v.map(rate)),
      floor: median(f.map(rate)),
      ratio: median(v.map((x, i) => f[i].ms / x.ms)),
      details: {
        events: v[0].events,
        verifySeconds: v.map((x) => round(x.ms / 1000, 2)),
        floorSeconds: f.map((x) => round(x.ms / 1000, 2)),
      },
    },
  ];
});
