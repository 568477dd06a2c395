import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore, type JsonObject } from '@keyledger/event-store';
import { eventHash, integrityOf, ManualClock, withIntegrity, withoutIntegrity } from '@keyledger/ledger';
import { CheckpointKeys } from '../checkpoints/checkpoint-keys.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_EVENT_TYPE, CHECKPOINT_STREAM, signCheckpointV1 } from '../checkpoints/checkpoint-format.js';
import { CheckpointTranslator, type CheckpointEventCopy } from '../checkpoints/checkpoint-translation.js';
import { CheckpointRefusedError, LedgerCheckpoints } from '../checkpoints/ledger-checkpoints.js';
import { verifyLedger } from './verify-ledger.js';
import {
  at,
  ChainedWriter,
  created,
  generated,
  KEY_A,
  KEY_B,
  MAT_1,
  MAT_2,
  rotated,
} from '../testing/chained-ledger.js';

const ROOT_SECRET = randomBytes(32);
/** The checkpoint keys a server with this root key derives. */
const CHECKPOINT_KEY = CheckpointKeys.fromRootKey({
  deriveKey: (purpose) => createHash('sha256').update(ROOT_SECRET).update(purpose).digest(),
});

let dir: string;
let file: string;
let store: SqliteEventStore;
let writer: ChainedWriter;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-ledger-'));
  file = join(dir, 'ledger.db');
  store = new SqliteEventStore(file);
  writer = new ChainedWriter(store);
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** Key A: created day 0, rotated day 10, disabled day 20. Alias created day 5 on A, moved to B day 15. */
async function seed(): Promise<void> {
  await writer.append(`key-${KEY_A}`, [created(KEY_A, 0), generated(MAT_1, 0)], at(0));
  await writer.append(`key-${KEY_B}`, [created(KEY_B, 1), generated(MAT_2, 1)], at(1));
  await writer.append(
    'alias-alias/pay',
    [
      {
        type: 'AliasCreated',
        data: { aliasName: 'alias/pay', aliasArn: 'x', targetKeyId: KEY_A, createdAt: at(5).toISOString() },
      },
    ],
    at(5),
  );
  await writer.append(`key-${KEY_A}`, [generated(MAT_2, 10), rotated(MAT_2, MAT_1, 10)], at(10));
  await writer.append(
    'alias-alias/pay',
    [
      {
        type: 'AliasMoved',
        data: { aliasName: 'alias/pay', fromKeyId: KEY_A, toKeyId: KEY_B, movedAt: at(15).toISOString() },
      },
    ],
    at(15),
  );
  await writer.append(`key-${KEY_A}`, [{ type: 'KeyDisabled', data: {} }], at(20));
}

/** Edits the ledger file beside the open store, as another process with write access would. */
async function tamper(sql: (db: Database.Database) => void): Promise<void> {
  const db = new Database(file);
  sql(db);
  db.close();
}

/**
 * What someone with write access to the store and no root key can do: rewrite
 * an event and re-chain its stream from there with the public v1 hash, so
 * every event checks out on its own.
 */
async function rewriteAndRechain(streamName: string, revision: number, edit: (data: Record<string, unknown>) => void) {
  const events = await store.readStream(streamName);
  let previousHash = revision === 0 ? null : integrityOf(events[revision - 1]!.metadata)!.hash;
  const rows: Array<[string, string, number]> = [];
  for (const event of events.slice(revision)) {
    const data = structuredClone(event.data) as Record<string, unknown>;
    if (event.revision === BigInt(revision)) edit(data);
    const metadata = withIntegrity(
      {
        streamName,
        revision: event.revision,
        type: event.type,
        data,
        metadata: withoutIntegrity(event.metadata as Record<string, unknown>),
      },
      previousHash,
    );
    previousHash = integrityOf(metadata)!.hash;
    rows.push([JSON.stringify(data), JSON.stringify(metadata), Number(event.revision)]);
  }
  await tamper((db) => {
    const update = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE stream = ? AND revision = ?');
    for (const [data, metadata, rev] of rows) expect(update.run(data, metadata, streamName, rev).changes).toBe(1);
  });
}

const checkpointer = (days: number) => new LedgerCheckpoints(store, CHECKPOINT_KEY, new ManualClock(at(days)));
const PUBLIC_ONLY = () => CheckpointKeys.fromPublicKeyPem(CHECKPOINT_KEY.publicKeyPem());

describe('verify and checkpoints', () => {
  it('passes an untouched ledger and holds every checkpoint to the chain', async () => {
    const checkpoints = checkpointer(0);
    expect(await checkpoints.writeGenesis()).toMatchObject({ events: '0', streams: 0, written: true });
    expect(await checkpoints.writeGenesis()).toBeUndefined();
    await seed();
    expect(await checkpoints.write()).toMatchObject({ events: '9', streams: 3 });
    await writer.append(`key-${KEY_B}`, [{ type: 'KeyDisabled', data: {} }], at(31));
    const third = await checkpoints.write();
    expect(third).toMatchObject({ events: '10', streams: 3, written: true });
    const progress: number[] = [];
    const result = await verifyLedger(store, CHECKPOINT_KEY, { onProgress: (n) => progress.push(n) });
    expect(result).toMatchObject({
      ok: true,
      eventsChecked: 13,
      streamsChecked: 4,
      checkpoints: 3,
      lastCheckpoint: { format: 2, events: '10', streams: 3, checkpointHash: third.checkpointHash },
    });
    expect(result.lastCheckpoint!.merkleRoot).toBe(third.merkleRoot);
    expect(progress.at(-1)).toBe(13);
    const chain = (await store.readStream(CHECKPOINT_STREAM)).map(
      (e) => e.data as { previousCheckpointHash: string | null },
    );
    expect(chain[0]!.previousCheckpointHash).toBeNull();
    expect(chain[1]!.previousCheckpointHash).toMatch(/^[0-9a-f]{64}$/);
    // The auditor's view: the public key alone checks every v2 checkpoint.
    expect(await verifyLedger(store, PUBLIC_ONLY(), { requireCheckpoint: true })).toMatchObject({ ok: true });
    // Nothing new: the periodic writer writes nothing.
    expect(await checkpoints.write({ onlyIfChanged: true })).toMatchObject({ written: false, events: '10' });
  });

  it('finds an edited byte in one event', async () => {
    await seed();
    await tamper((db) =>
      db
        .prepare(`UPDATE events SET data = replace(data, '"d"', '"e"') WHERE stream = ? AND revision = 0`)
        .run(`key-${KEY_B}`),
    );
    const result = await verifyLedger(store, CHECKPOINT_KEY);
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: `key-${KEY_B}`, revision: '0', position: '3' });
    expect(result.firstBadEvent!.problem).toMatch(/altered/);
  });

  it('finds a deleted event in the middle of a stream', async () => {
    await seed();
    await tamper((db) => db.prepare('DELETE FROM events WHERE stream = ? AND revision = 2').run(`key-${KEY_A}`));
    const result = await verifyLedger(store, CHECKPOINT_KEY);
    expect(result.firstBadEvent).toMatchObject({ streamName: `key-${KEY_A}`, revision: '3' });
    expect(result.firstBadEvent!.problem).toMatch(/revision 2 is missing/);
  });

  it('finds a removed stream and a removed tail under a checkpoint, and the writer refuses to sign over them', async () => {
    await checkpointer(0).writeGenesis();
    await seed();
    await checkpointer(30).write();
    await tamper((db) => db.prepare('DELETE FROM events WHERE stream = ?').run(`key-${KEY_B}`));
    let result = await verifyLedger(store, CHECKPOINT_KEY);
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent).toMatchObject({ streamName: CHECKPOINT_STREAM, revision: '1' });
    expect(result.firstBadEvent!.problem).toMatch(/covered events were removed/);
    await expect(checkpointer(40).write()).rejects.toThrow(CheckpointRefusedError);

    await tamper((db) => db.prepare('DELETE FROM events WHERE stream = ? AND revision = 4').run(`key-${KEY_A}`));
    result = await verifyLedger(store, CHECKPOINT_KEY);
    expect(result.firstBadEvent!.problem).toMatch(/removed/);
  });

  it('a rewrite under a checkpoint, re-chained without the root key: verify stays not ok, no later checkpoint is signed', async () => {
    const checkpoints = checkpointer(30);
    await checkpoints.writeGenesis();
    await seed();
    await checkpoints.write();
    await writer.append(`key-${KEY_B}`, [{ type: 'KeyDisabled', data: {} }], at(31));
    await checkpoints.write();
    // Covered by both checkpoints: the key's description, rewritten and re-chained to the stream's end.
    await rewriteAndRechain(`key-${KEY_A}`, 0, (data) => (data.description = 'rewritten'));
    const before = await verifyLedger(store, CHECKPOINT_KEY);
    expect(before.ok).toBe(false);
    expect(before.firstBadEvent).toMatchObject({ streamName: CHECKPOINT_STREAM, revision: '1' });
    expect(before.firstBadEvent!.problem).toMatch(/Merkle root/);

    await writer.append(`key-${KEY_B}`, [{ type: 'KeyEnabled', data: {} }], at(32));
    // A fresh writer (a restarted server) recomputes the signed heads from the log and refuses.
    await expect(checkpointer(33).write({ onlyIfChanged: true })).rejects.toThrow(/covered history was rewritten/);
    expect(await store.readStream(CHECKPOINT_STREAM)).toHaveLength(3);
    // The writer that signed the heads keeps them and signs those, never the rewritten ones.
    await checkpoints.write();
    expect((await verifyLedger(store, CHECKPOINT_KEY)).ok).toBe(false);
    expect((await verifyLedger(store, PUBLIC_ONLY())).ok).toBe(false);
  });

  it('refuses to sign a new event that does not chain to the signed head, or does not hash to its hash', async () => {
    const checkpoints = checkpointer(30);
    await checkpoints.writeGenesis();
    await seed();
    await checkpoints.write();
    await writer.append(`key-${KEY_B}`, [{ type: 'KeyDisabled', data: {} }], at(31));
    await tamper((db) =>
      db
        .prepare(`UPDATE events SET data = json_set(data, '$.x', 1) WHERE stream = ? AND revision = 2`)
        .run(`key-${KEY_B}`),
    );
    await expect(checkpoints.write()).rejects.toThrow(/integrity hash does not match its content/);
  });

  it('a deleted checkpoint stream: the writer refuses, verify reports it', async () => {
    const checkpoints = checkpointer(30);
    await checkpoints.writeGenesis();
    await seed();
    await checkpoints.write();
    await tamper((db) => db.prepare('DELETE FROM events WHERE stream = ?').run(CHECKPOINT_STREAM));
    await expect(checkpoints.write()).rejects.toThrow(/lost checkpoint revision 1/);
    await expect(checkpointer(31).write()).rejects.toThrow(/events but no checkpoint stream/);
    expect(await store.readStream(CHECKPOINT_STREAM).catch(() => [])).toHaveLength(0);
    const result = await verifyLedger(store, CHECKPOINT_KEY, { requireCheckpoint: true });
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent!.problem).toMatch(/no checkpoint: the checkpoint stream was deleted/);
    // An operator may adopt a ledger from before genesis checkpoints, after its whole chain is checked.
    expect(await checkpointer(32).write({ adoptUncheckpointed: true })).toMatchObject({ events: '9' });
  });

  it('refuses a checkpoint signed with another key and a forged one', async () => {
    await seed();
    await checkpointer(30).write({ adoptUncheckpointed: true });
    const other = CheckpointKeys.fromRootKey({
      deriveKey: (p) => createHash('sha256').update('other').update(p).digest(),
    });
    const wrongKey = await verifyLedger(store, other);
    expect(wrongKey.firstBadEvent).toMatchObject({ streamName: CHECKPOINT_STREAM, revision: '0' });
    expect(wrongKey.firstBadEvent!.problem).toMatch(/signature/);

    // A forger without the key changes the signed root and recomputes the event's chain hash: only the signature tells.
    const [checkpoint] = await store.readStream(CHECKPOINT_STREAM);
    const data = structuredClone(checkpoint!.data) as { streams: { merkleRoot: string } };
    data.streams.merkleRoot = 'f'.repeat(64);
    const metadata = withoutIntegrity(checkpoint!.metadata as Record<string, unknown>);
    const hash = eventHash(
      { streamName: CHECKPOINT_STREAM, revision: 0n, type: checkpoint!.type, data, metadata },
      null,
    );
    await tamper((db) =>
      db
        .prepare('UPDATE events SET data = ?, metadata = ? WHERE stream = ?')
        .run(
          JSON.stringify(data),
          JSON.stringify({ ...metadata, integrity: { previousHash: null, hash } }),
          CHECKPOINT_STREAM,
        ),
    );
    for (const keys of [CHECKPOINT_KEY, PUBLIC_ONLY()]) {
      const forged = await verifyLedger(store, keys);
      expect(forged.firstBadEvent).toMatchObject({ streamName: CHECKPOINT_STREAM, revision: '0' });
      expect(forged.firstBadEvent!.problem).toMatch(/signature/);
    }
    await expect(checkpointer(31).write()).rejects.toThrow(/not signed with this ledger/);
  });

  it('keeps v1 (MAC) checkpoints verifiable by the root-key holder, and builds v2 ones on them', async () => {
    await seed();
    await appendV1Checkpoint();
    expect(await verifyLedger(store, CHECKPOINT_KEY)).toMatchObject({ ok: true, checkpoints: 1 });
    // Without the root key a v1 checkpoint cannot be checked: it is counted, not trusted.
    expect(await verifyLedger(store, PUBLIC_ONLY())).toMatchObject({ ok: true, checkpointsUnverified: 1 });
    await writer.append(`key-${KEY_B}`, [{ type: 'KeyDisabled', data: {} }], at(31));
    expect(await checkpointer(32).write()).toMatchObject({ events: '10', streams: 3 });
    expect(await verifyLedger(store, CHECKPOINT_KEY)).toMatchObject({ ok: true, checkpoints: 2 });

    await rewriteAndRechain(`key-${KEY_B}`, 0, (data) => (data.description = 'rewritten'));
    const result = await verifyLedger(store, CHECKPOINT_KEY);
    expect(result.firstBadEvent).toMatchObject({ streamName: CHECKPOINT_STREAM, revision: '0' });
    expect(result.firstBadEvent!.problem).toMatch(/does not match the checkpoint/);
  });

  it('--expect: a checkpoint kept elsewhere must still be there', async () => {
    const checkpoints = checkpointer(30);
    await checkpoints.writeGenesis();
    await seed();
    const kept = await checkpoints.write();
    expect(await verifyLedger(store, CHECKPOINT_KEY, { expect: [kept.checkpointHash!] })).toMatchObject({ ok: true });
    expect(await verifyLedger(store, CHECKPOINT_KEY, { expect: [kept.position] })).toMatchObject({ ok: true });
    // The last checkpoint and the events after the one before it removed: nothing in the ledger shows it.
    await tamper((db) => {
      db.prepare('DELETE FROM events WHERE stream = ? AND revision = 1').run(CHECKPOINT_STREAM);
    });
    expect((await verifyLedger(store, CHECKPOINT_KEY)).ok).toBe(true);
    const result = await verifyLedger(store, CHECKPOINT_KEY, { expect: [kept.checkpointHash!] });
    expect(result.ok).toBe(false);
    expect(result.firstBadEvent!.problem).toMatch(/expected checkpoint .* is not in the ledger/);
  });
});

/** A checkpoint as the previous version wrote it: every head listed, MAC'd with the v1 key. */
async function appendV1Checkpoint(): Promise<void> {
  const streams: Record<string, { revision: string; hash: string }> = {};
  let position = 0n;
  for (const event of await store.readAll()) {
    streams[event.streamName] = { revision: event.revision.toString(), hash: integrityOf(event.metadata)!.hash };
    position = event.position;
  }
  const sorted = Object.fromEntries(Object.entries(streams).sort(([a], [b]) => (a < b ? -1 : 1)));
  const body = {
    time: at(30).toISOString(),
    position: position.toString(),
    streams: sorted,
    previousCheckpointHash: null,
  };
  const data = { ...body, signature: signCheckpointV1(body, CHECKPOINT_KEY.macKey!) };
  const metadata = { actor: { principal: 'keyledger:scheduler' }, requestId: randomUUID(), time: body.time };
  const chained = withIntegrity(
    { streamName: CHECKPOINT_STREAM, revision: 0n, type: CHECKPOINT_EVENT_TYPE, data, metadata },
    null,
  );
  await store.appendToStream(CHECKPOINT_STREAM, [
    { type: CHECKPOINT_EVENT_TYPE, data: data as unknown as JsonObject, metadata: chained as JsonObject },
  ]);
}

describe('checkpoints copied to another store (migration)', () => {
  it('translated and re-signed, they verify on a store whose positions differ; copied as they are, v1 ones do not', async () => {
    await seed();
    await appendV1Checkpoint();
    await writer.append(`key-${KEY_B}`, [{ type: 'KeyDisabled', data: {} }], at(31));
    await checkpointer(32).write();
    const source = await store.readAll();

    const copyTo = async (name: string, translate: boolean) => {
      const targetFile = join(dir, name);
      const target = new SqliteEventStore(targetFile);
      // Five events ahead of the copy, removed after it: the copy sits five positions later than in the source.
      await target.appendToStream(
        'x',
        [1, 2, 3, 4, 5].map((n) => ({ type: 'X', data: { n } })),
      );
      const reopened = target;
      const translator = new CheckpointTranslator(CHECKPOINT_KEY);
      for (const event of source) {
        const copy =
          translate && event.streamName === CHECKPOINT_STREAM
            ? translator.translate(event as unknown as CheckpointEventCopy, (p) => p + 5n)
            : { data: event.data, metadata: event.metadata };
        await reopened.appendToStream(event.streamName, [
          { id: event.id, type: event.type, data: copy.data as JsonObject, metadata: copy.metadata as JsonObject },
        ]);
      }
      const db = new Database(targetFile);
      db.prepare('DELETE FROM events WHERE stream = ?').run('x');
      db.close();
      return reopened;
    };
    const translated = await copyTo('translated.db', true);
    const asIs = await copyTo('as-is.db', false);
    try {
      expect((await translated.readAll())[0]!.position).toBe(6n);
      expect(await verifyLedger(translated, CHECKPOINT_KEY)).toMatchObject({ ok: true, checkpoints: 2 });
      expect((await verifyLedger(asIs, CHECKPOINT_KEY)).ok).toBe(false);
      // The writer on the target builds on the translated checkpoints.
      await expect(
        new LedgerCheckpoints(translated, CHECKPOINT_KEY, new ManualClock(at(40))).write(),
      ).resolves.toMatchObject({ events: '10' });
    } finally {
      await translated.close();
      await asIs.close();
    }
  });
});
