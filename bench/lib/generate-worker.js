// A planner thread of the ledger generator (see generate.js): decides every
// command with the server's domain functions and chains the metadata with
// withIntegrity, exactly as LedgerRepository does, and posts the appends in
// batches to the writer thread.
//
// Material: by default each backing key's sealedMaterial is a FAKE, equally
// sized string (base64 of 61 random bytes = what sealMaterial makes of a 32-byte
// key: version, IV, ciphertext, tag) and no shred key is stored: none of the
// figures that use the big data sets opens material, and start-up, replay and
// memory see the same bytes. BENCH_REAL_MATERIAL=1 seals real material under a
// shred key created in a ShredVault with the run's root key (3-4x slower).
import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  generateBackingKey,
  generatedKeyMaterialId,
  sealMaterial,
  ShredVault,
  StaticRootKeyProvider,
} from '@keyledger/crypto';
import {
  aliasStreamName,
  decideAlias,
  decideKey,
  evolveAlias,
  evolveKey,
  initialAliasState,
  initialKeyState,
  integrityOf,
  keyStateOf,
  keyStreamName,
  withIntegrity,
} from '@keyledger/ledger';
import { ACCOUNT_ID, ADMIN, REGION } from './common.js';

const { partition, keys, firstIndex, backingKeysPerKey, rootKey, realMaterial, vaultDir } = workerData;
const BATCH_APPENDS = Number(process.env.BENCH_GEN_BATCH ?? 10000);
const MAX_IN_FLIGHT = 2;
const SEALED_BYTES = 1 + 12 + 32 + 16;
const ACTOR = {
  principal: `arn:aws:iam::${ACCOUNT_ID}:user/admin`,
  accessKeyId: ADMIN.accessKeyId,
  sourceAddress: '127.0.0.1',
};
const keyArn = (keyId) => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${keyId}`;
const aliasArn = (name) => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:${name}`;

let vault;
if (realMaterial) {
  mkdirSync(vaultDir, { recursive: true });
  vault = ShredVault.open(vaultDir, StaticRootKeyProvider.fromBase64(rootKey));
}

function newBackingKey(keyId) {
  const keyMaterialId = generatedKeyMaterialId();
  // The id the server's ShredKeyPool gives a shred key (apps/keyledger/src/cryptography/shred-key-pool.ts).
  const shredKeyId = `pool/${randomUUID()}`;
  if (!realMaterial) return { keyMaterialId, shredKeyId, sealedMaterial: randomBytes(SEALED_BYTES).toString('base64') };
  const shredKey = vault.create(shredKeyId);
  const material = generateBackingKey();
  try {
    return { keyMaterialId, shredKeyId, sealedMaterial: sealMaterial(material, shredKey, { keyId, keyMaterialId }) };
  } finally {
    material.fill(0);
    shredKey.fill(0);
  }
}

/** A fake clock for generated history: `daysAgo` in the past, 1 ms per command. */
function historyClock(daysAgo) {
  let t = Date.now() - daysAgo * 86_400_000 + partition * 3_600_000;
  return () => new Date(t++);
}

// ---- batching with back-pressure: at most MAX_IN_FLIGHT unacknowledged batches.
let batch = [];
let inFlight = 0;
let wakeUp = null;
parentPort.on('message', (message) => {
  if (message.type === 'ack') {
    inFlight--;
    wakeUp?.();
  } else if (message.type === 'keys') run(generateKeys);
  else if (message.type === 'extend') run(() => extend(message.addEvents));
});

async function send(force = false) {
  if (batch.length === 0 || (!force && batch.length < BATCH_APPENDS)) return;
  while (inFlight >= MAX_IN_FLIGHT) await new Promise((r) => (wakeUp = r));
  wakeUp = null;
  inFlight++;
  parentPort.postMessage({ type: 'batch', appends: batch });
  batch = [];
}

async function run(phase) {
  try {
    const value = await phase();
    await send(true);
    while (inFlight > 0) await new Promise((r) => (wakeUp = r));
    parentPort.postMessage({ type: 'done', ...value });
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: error instanceof Error ? error.stack : String(error) });
  }
}

let events = 0;

/** As LedgerRepository.run: chain the decision onto the stream and queue its append. */
function append(streamName, entry, decision, now, evolve) {
  if (!Array.isArray(decision)) throw new Error(`the decider refused: ${decision?.message}`);
  const metadata = { actor: ACTOR, requestId: randomUUID(), time: now.toISOString() };
  let previousHash = entry.lastHash;
  let revision = entry.revision + 1;
  const expected = entry.revision;
  const toAppend = decision.map((event) => {
    const chained = withIntegrity(
      { streamName, revision: BigInt(revision++), type: event.type, data: event.data, metadata },
      previousHash,
    );
    previousHash = integrityOf(chained).hash;
    return { type: event.type, data: event.data, metadata: chained };
  });
  batch.push([streamName, expected, toAppend]);
  entry.state = decision.reduce(evolve, entry.state);
  entry.revision = revision - 1;
  entry.lastHash = previousHash;
  events += decision.length;
}

const entries = [];

async function generateKeys() {
  const now = historyClock(30);
  for (let i = 0; i < keys; i++) {
    const keyId = randomUUID();
    const at = now();
    const command = {
      type: 'CreateKey',
      keyId,
      arn: keyArn(keyId),
      accountId: ACCOUNT_ID,
      region: REGION,
      description: `bench key ${firstIndex + i}`,
      origin: 'AWS_KMS',
      tags: [],
      backingKey: newBackingKey(keyId),
      now: at,
    };
    const entry = { keyId, state: initialKeyState(), revision: -1, lastHash: null };
    entries.push(entry);
    append(keyStreamName(keyId), entry, decideKey(command, entry.state), at, evolveKey);
    await send();
  }
  // Rotations come later in time, key after key, as they would.
  for (let r = 1; r < backingKeysPerKey; r++) {
    for (const entry of entries) {
      const at = now();
      const command = {
        type: 'RotateKeyOnDemand',
        backingKey: newBackingKey(entry.keyId),
        maxOnDemandRotations: 1_000_000,
        now: at,
      };
      append(keyStreamName(entry.keyId), entry, decideKey(command, entry.state), at, evolveKey);
      await send();
    }
  }
  if (vault) vault.close();
  return { events, keyIds: entries.map((e) => e.keyId) };
}

/**
 * Further lifecycle history, in rounds over the keys: EnableKeyRotation (next
 * rotation a year out, so nothing falls due at start-up), CreateAlias,
 * UpdateKeyDescription, TagResource, UpdateAlias, DisableKey, EnableKey, ...
 */
async function extend(addEvents) {
  const start = events;
  const now = historyClock(10);
  const aliases = new Map();
  const steps = [
    (at) => ({ key: { type: 'EnableKeyRotation', rotationPeriodInDays: 365, now: at } }),
    () => ({ alias: 'CreateAlias' }),
    (at) => ({ key: { type: 'UpdateKeyDescription', description: `described at ${at.toISOString()}`, now: at } }),
    (at) => ({
      key: {
        type: 'TagResource',
        tags: [
          { TagKey: 'team', TagValue: 'payments' },
          { TagKey: 'env', TagValue: 'prod' },
        ],
        now: at,
      },
    }),
    () => ({ alias: 'UpdateAlias' }),
    (at) => ({ key: { type: 'DisableKey', now: at } }),
    (at) => ({ key: { type: 'EnableKey', now: at } }),
  ];
  for (let round = 0; events - start < addEvents; round++) {
    const step = steps[round % steps.length];
    for (let i = 0; i < entries.length && events - start < addEvents; i++) {
      const entry = entries[i];
      const at = now();
      const what = step(at);
      if (what.key) {
        append(keyStreamName(entry.keyId), entry, decideKey(what.key, entry.state), at, evolveKey);
      } else {
        // Alias i points at key i (CreateAlias), then moves to key i+1 (UpdateAlias).
        const name = `alias/bench-${firstIndex + i}`;
        let alias = aliases.get(name);
        if (!alias) aliases.set(name, (alias = { state: initialAliasState(), revision: -1, lastHash: null }));
        const targetEntry = what.alias === 'CreateAlias' ? entry : entries[(i + 1) % entries.length];
        const target = {
          keyId: targetEntry.keyId,
          arn: keyArn(targetEntry.keyId),
          keyState: keyStateOf(targetEntry.state),
        };
        const command = { type: what.alias, aliasName: name, aliasArn: aliasArn(name), target, now: at };
        append(aliasStreamName(name), alias, decideAlias(command, alias.state), at, evolveAlias);
      }
      await send();
    }
  }
  return { events: events - start };
}
