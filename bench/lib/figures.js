// The figures npm run bench reports: what each is, its unit, its floor and its goal, and how a row is judged.
import { round } from './common.js';

// What each figure is, its unit, its floor and its goal.
export const FIGURES = {
  decrypt_http: {
    figure: 'Decrypt over HTTP (SigV4, 32-byte data key)',
    unit: 'req/s',
    floor: 'bare Fastify + 1 AES-256-GCM decrypt',
    goal: { ratio: '>=', value: 0.6 },
  },
  encrypt_http: {
    figure: 'Encrypt over HTTP (SigV4, 32-byte plaintext)',
    unit: 'req/s',
    floor: 'bare Fastify + 1 AES-256-GCM encrypt',
    goal: { ratio: '>=', value: 0.6 },
  },
  generate_data_key_http: {
    figure: 'GenerateDataKey over HTTP (AES_256)',
    unit: 'req/s',
    floor: 'bare Fastify + random 32 B + 1 AES-256-GCM encrypt',
    goal: { ratio: '>=', value: 0.6 },
  },
  sign_http: {
    figure: 'Sign over HTTP (ECC_NIST_P256, ECDSA_SHA_256, 32-byte message)',
    unit: 'req/s',
    floor: 'bare Fastify + 1 crypto.sign (P-256, key in memory)',
    goal: { ratio: '>=', value: 0.5 },
  },
  generate_mac_http: {
    figure: 'GenerateMac over HTTP (HMAC_256, 32-byte message)',
    unit: 'req/s',
    floor: 'bare Fastify + 1 HMAC-SHA-256 (key in memory)',
    goal: { ratio: '>=', value: 0.5 },
  },
  decrypt_p99_beside_rsa_create_key: {
    figure: 'p99 of Decrypts over HTTP while RSA-4096 CreateKeys run beside them',
    unit: 'ms',
    floor: 'p99 of the same Decrypts alone, same server, same run',
    goal: { ratio: '<=', value: 2 },
  },
  decrypt_in_process: {
    figure: 'Decrypt in process (KmsOperations → QueryBus, no HTTP)',
    unit: 'ops/s',
    floor: 'raw HKDF + AES-256-GCM in Node',
    goal: { ratio: '>=', value: 0.5 },
  },
  lifecycle_CreateKey_sequential: {
    figure: 'CreateKey over HTTP, sequential',
    unit: 'ops/s',
    floor: 'raw better-sqlite3 durable commits/s',
    goal: { value: '>=', target: 1000, alsoRatio: 0.3 },
  },
  lifecycle_CreateKey_concurrent: {
    figure: 'CreateKey over HTTP, concurrent',
    unit: 'ops/s',
    floor: 'raw better-sqlite3 durable commits/s',
    goal: { value: '>=', target: 1000 },
  },
  lifecycle_RotateKeyOnDemand_sequential: {
    figure: 'RotateKeyOnDemand over HTTP, sequential',
    unit: 'ops/s',
    floor: 'raw better-sqlite3 durable commits/s',
    goal: { value: '>=', target: 1000, alsoRatio: 0.3 },
  },
  lifecycle_RotateKeyOnDemand_concurrent: {
    figure: 'RotateKeyOnDemand over HTTP, concurrent',
    unit: 'ops/s',
    floor: 'raw better-sqlite3 durable commits/s',
    goal: { value: '>=', target: 1000 },
  },
  lifecycle_UpdateAlias_sequential: {
    figure: 'UpdateAlias over HTTP, sequential',
    unit: 'ops/s',
    floor: 'raw better-sqlite3 durable commits/s',
    goal: { value: '>=', target: 1000, alsoRatio: 0.3 },
  },
  lifecycle_UpdateAlias_concurrent: {
    figure: 'UpdateAlias over HTTP, concurrent',
    unit: 'ops/s',
    floor: 'raw better-sqlite3 durable commits/s',
    goal: { value: '>=', target: 1000 },
  },
  rebuild_read_models: {
    figure: 'Rebuild every read model (KeyStateCache + TimeIndex)',
    unit: 'events/s',
    floor: 'raw SELECT pages + JSON.parse of the same events',
    goal: { ratio: '>=', value: 0.3 },
  },
  cold_start_first: {
    figure: 'Cold start, first start (no view snapshot: full replay)',
    unit: 's',
    floor: null,
    goal: { value: '<=', target: 3 },
  },
  cold_start_restart: {
    figure: 'Cold start, restart (view snapshot present)',
    unit: 's',
    floor: null,
    goal: { value: '<=', target: 3 },
  },
  rotate_deep_key: {
    figure: 'RotateKeyOnDemand on a key with 1,000 backing keys',
    unit: 'ms/op',
    floor: 'the same on a fresh key',
    goal: { ratio: '<=', value: 1.2 },
  },
  authz_decrypt_in_process: {
    figure: 'Decrypt in process through authorization, key with a 20-statement policy and 100 grants',
    unit: 'µs/op',
    floor: 'the same on a key with the default key policy',
    goal: { ratio: '<=', value: 1.1 },
  },
  authz_decrypt_http: {
    figure: 'Decrypt over HTTP, key with a 20-statement policy and 100 grants',
    unit: 'µs/op',
    floor: 'the same on a key with the default key policy',
    goal: { ratio: '<=', value: 1.1 },
  },
  decrypt_deep_key: {
    figure: 'Decrypt (oldest material) on a key with 1,000 backing keys',
    unit: 'µs/op',
    floor: 'the same on a fresh key',
    goal: { ratio: '<=', value: 1.2 },
  },
  memory_rss_first: {
    figure: 'RSS after first start (full replay) + forced GC',
    unit: 'MB',
    floor: null,
    goal: { value: '<=', target: 400 },
  },
  memory_rss_restart: {
    figure: 'RSS after restart (from snapshot) + forced GC',
    unit: 'MB',
    floor: null,
    goal: { value: '<=', target: 400 },
  },
  state_as_of_deep_key: {
    figure: 'Key state as of a time, key with 1,000 events (warm, median)',
    unit: 'ms',
    floor: null,
    goal: { value: '<=', target: 1 },
  },
  inventory_warm: {
    figure: 'Inventory report, 100,000 keys (repeated)',
    unit: 's',
    floor: null,
    goal: { value: '<=', target: 2 },
  },
  inventory_cold: {
    figure: 'Inventory report, 100,000 keys (first query after start-up)',
    unit: 's',
    floor: null,
    goal: { value: '<=', target: 2 },
  },
  scaling_restart: {
    figure: 'Restart from snapshot at the largest scaling size',
    unit: 's',
    floor: null,
    goal: { value: '<=', target: 10 },
  },
  scaling_rss_growth: {
    figure: 'RSS growth ÷ key growth, last scaling step (1 = linear)',
    unit: '×',
    floor: null,
    goal: { value: '<=', target: 1.1 },
  },
  // The linear growth is of "the figures", restart time as well as memory.
  scaling_restart_growth: {
    figure: 'Restart growth ÷ key growth, last scaling step (1 = linear)',
    unit: '×',
    floor: null,
    goal: { value: '<=', target: 1.1 },
  },
  scaling_bytes_per_key: {
    figure: 'RSS bytes per key (marginal, last scaling step)',
    unit: 'B/key',
    floor: null,
    goal: { value: '<=', target: Infinity },
  },
  verify: {
    figure: 'verify over 1,000,000 events',
    unit: 'events/s',
    floor: 'raw SELECT pages + JSON.parse of the same events',
    goal: { ratio: '>=', value: 0.3 },
  },
  usage_decrypt_http: {
    figure: 'Decrypt over HTTP with usage recording (issue 13)',
    unit: 'req/s',
    floor: 'the same build with KEYLEDGER_USAGE_RECORDING=off',
    goal: { ratio: '>=', value: 0.97 },
  },
  usage_cold_start_first: {
    figure: 'Cold start, first start, 1,000 keys + a month of usage (720,000 usage events)',
    unit: 's',
    floor: 'the same start on the same keys without usage',
    goal: { ratio: '<=', value: 1.1 },
  },
  usage_cold_start_restart: {
    figure: 'Cold start, restart from snapshot, 1,000 keys + a month of usage',
    unit: 's',
    floor: 'the same start on the same keys without usage',
    goal: { ratio: '<=', value: 1.1 },
  },
  usage_events_per_hour: {
    figure: 'Usage events per hour, 1,000 keys × 10 principals, steady mixed load',
    unit: 'events/h',
    floor: 'distinct (key, backing key, principal, operation) × 60',
    goal: { ratio: '<=', value: 1 },
  },
  store_append_sequential: {
    figure: 'store: append, 1 writer (store.bench.js)',
    unit: 'appends/s',
    floor: 'raw better-sqlite3 (store.bench.js)',
    goal: { ratio: '>=', value: 0.7 },
  },
  store_append_concurrent: {
    figure: 'store: append, 16 writers (store.bench.js)',
    unit: 'appends/s',
    floor: 'raw batched tx (store.bench.js)',
    goal: { ratio: '>=', value: 0.5 },
  },
  store_read_all: {
    figure: 'store: readAll (store.bench.js)',
    unit: 'events/s',
    floor: 'raw SELECT + JSON.parse (store.bench.js)',
    goal: { ratio: '>=', value: 0.5 },
  },
};

/** A measured row with its figure's name, unit, floor, goal and whether it was met. */
export function judge(row) {
  const spec = FIGURES[row.id] ?? { figure: row.id, unit: '', floor: null, goal: {} };
  const g = spec.goal;
  let goal;
  let met;
  if (g.ratio) {
    goal = `ratio ${g.ratio} ${g.value}`;
    met = g.ratio === '>=' ? row.ratio >= g.value : row.ratio <= g.value;
  } else {
    goal = `${g.value} ${g.target} ${spec.unit}`;
    met = g.value === '>=' ? row.value >= g.target : row.value <= g.target;
    // Issue 16: a sequential lifecycle operation also owes a share of the raw single-commit floor.
    if (g.alsoRatio !== undefined) {
      goal += ` and ratio >= ${g.alsoRatio}`;
      met = met && row.ratio >= g.alsoRatio;
    }
  }
  return {
    id: row.id,
    figure: row.label ?? spec.figure,
    unit: spec.unit,
    value: round(row.value, row.value < 10 ? 3 : 1),
    floor: row.floor === undefined ? null : round(row.floor, row.floor < 10 ? 3 : 1),
    floorMeasures: spec.floor,
    ratio: row.ratio === undefined ? null : round(row.ratio, 3),
    goal,
    met,
    details: row.details,
  };
}
