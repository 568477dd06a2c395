import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStoreDBClient } from '@eventstore/db-client';
import {
  EsdbEventStore,
  SqliteEventStore,
  type EventStore,
  type JsonObject,
  type RecordedEvent,
} from '@keyledger/event-store';
import {
  CHECKPOINT_EVENT_TYPE,
  CHECKPOINT_STREAM,
  CheckpointKeys,
  LedgerCheckpoints,
  signCheckpointV1,
  verifyLedger,
} from '@keyledger/integrity';
import { ManualClock, integrityOf, withIntegrity } from '@keyledger/ledger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// The client double that follows the server's documented behaviour, 1 MiB append limit included.
import { FakeEsdbClient } from '../../../../../libs/event-store/src/contract/esdb-fake-client.js';
import { LEDGER_VIEW_SNAPSHOT_FILE } from '../../infrastructure/data-directory.js';
import { CliFailure } from '../cli-errors.js';
import { VIEW_SNAPSHOT_FILE, invalidateViewSnapshot } from '../commands/migrate.command.js';
import {
  EVENTSTOREDB_APPEND_BUDGET,
  LedgerMigration,
  appendSizeOf,
  splitIntoRuns,
  type MigrationOptions,
} from './ledger-migration.js';
import { CheckpointRewrite } from './checkpoint-rewrite.js';
import { compareLedgers } from './ledger-comparison.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keyledger-migration-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const recorded = (streamName: string, revision: number, bytes: number): RecordedEvent => ({
  id: randomUUID(),
  streamName,
  type: 'E',
  data: { pad: 'x'.repeat(bytes) },
  metadata: {},
  recordedAt: new Date(),
  revision: BigInt(revision),
  position: BigInt(revision + 1),
});

describe('splitIntoRuns', () => {
  it('cuts a run of one stream where its serialised size would pass the limit', () => {
    const events = Array.from({ length: 10 }, (_, i) => recorded('s', i, 300));
    const limit = 3 * appendSizeOf(events[0]!);
    const runs = splitIntoRuns(events, limit);
    expect(runs.map((r) => r.length)).toEqual([3, 3, 3, 1]);
    expect(runs.flat()).toEqual(events);
    expect(splitIntoRuns(events).map((r) => r.length)).toEqual([10]);
  });

  it('refuses an event heavier than one append may carry, naming it', () => {
    const big = recorded('keys', 0, 2_000);
    expect(() => splitIntoRuns([big], 1_000)).toThrow(CliFailure);
    expect(() => splitIntoRuns([big], 1_000)).toThrow(/keys@0/);
  });
});

describe('migration into EventStoreDB (client double with its 1 MiB append limit)', () => {
  it('copies a stream whose one run would be 3 MB in appends under the limit, and the copy compares equal', async () => {
    const source = new SqliteEventStore(join(dir, 'ledger.db'));
    // 30 events of 100 kB in one stream: one run, 3 MB as a single append.
    for (let i = 0; i < 30; i++) {
      await source.appendToStream('key-1', [{ type: 'E', data: { i, pad: 'x'.repeat(100_000) } }]);
    }
    const target = new EsdbEventStore(new FakeEsdbClient() as unknown as EventStoreDBClient, {
      appendCredentials: { username: 'admin', password: 'changeit' },
    });
    const options = {
      source,
      target,
      targetDescription: 'esdb://fake',
      checkpointPath: join(dir, 'migrate.json'),
      batchSize: 2000,
      pipelineAppends: false,
      log: () => undefined,
    };
    // Without the size split, the double refuses the append as the server would.
    await expect(new LedgerMigration(options).run()).rejects.toThrow(/too large/);
    const result = await new LedgerMigration({ ...options, maxAppendBytes: EVENTSTOREDB_APPEND_BUDGET }).run();
    expect(result).toMatchObject({ complete: true, eventsMigrated: 30 });
    expect(await compareLedgers(source, target, 7)).toEqual({ events: 30, streams: 1 });
    await Promise.all([source.close(), target.close()]);
  });
});

describe('the view snapshot of the data directory the target is served from', () => {
  it('is the file the server writes, and migrate removes it', () => {
    expect(VIEW_SNAPSHOT_FILE).toBe(LEDGER_VIEW_SNAPSHOT_FILE);
    const file = join(dir, VIEW_SNAPSHOT_FILE);
    writeFileSync(file, 'snapshot');
    const lines: string[] = [];
    invalidateViewSnapshot(dir, 'esdb://db:2113/', (m) => lines.push(m));
    expect(existsSync(file)).toBe(false);
    expect(lines[0]).toMatch(/positions are the embedded store's/);
  });
});

const KEYS = CheckpointKeys.fromRootKey({
  deriveKey: (purpose) => createHash('sha256').update(randomBytes(32)).update(purpose).digest(),
});
const ACTOR = {
  principal: 'arn:aws:iam::111122223333:user/admin',
  accessKeyId: 'AKIATEST',
  sourceAddress: '127.0.0.1',
};

/** Appends one event chained as the server's repository chains it. */
async function appendChainedEvent(store: EventStore, streamName: string, type: string, data: JsonObject) {
  const revision = await store.streamRevision(streamName);
  const next = revision === 'no_stream' ? 0n : revision + 1n;
  const previous =
    next === 0n
      ? null
      : integrityOf((await store.readStream(streamName, { fromRevision: revision as bigint }))[0]!.metadata)!.hash;
  const metadata = withIntegrity(
    {
      streamName,
      revision: next,
      type,
      data,
      metadata: { actor: ACTOR, requestId: randomUUID(), time: new Date().toISOString() },
    },
    previous,
  );
  await store.appendToStream(streamName, [{ type, data, metadata: metadata as JsonObject }], {
    expectedRevision: revision,
  });
}

function fakeEventStoreDb(): EsdbEventStore {
  return new EsdbEventStore(new FakeEsdbClient() as unknown as EventStoreDBClient, {
    appendCredentials: { username: 'admin', password: 'changeit' },
  });
}

function migrationInto(source: EventStore, target: EventStore, extra: Partial<MigrationOptions> = {}) {
  return new LedgerMigration({
    source,
    target,
    targetDescription: 'esdb://fake',
    checkpointPath: join(dir, 'migrate.json'),
    batchSize: 5,
    maxAppendBytes: EVENTSTOREDB_APPEND_BUDGET,
    pipelineAppends: false,
    log: () => undefined,
    ...extra,
  });
}

describe('signed checkpoints across a migration into EventStoreDB (client double)', () => {
  it('v2 checkpoints verify on the target, and the target writer extends them', async () => {
    const source = new SqliteEventStore(join(dir, 'ledger.db'));
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    await new LedgerCheckpoints(source, KEYS, clock).writeGenesis();
    for (let i = 0; i < 6; i++) await appendChainedEvent(source, `key-${i % 3}`, 'KeyTagged', { i });
    await new LedgerCheckpoints(source, KEYS, clock).write();
    for (let i = 6; i < 9; i++) await appendChainedEvent(source, `key-${i % 3}`, 'KeyTagged', { i });
    await new LedgerCheckpoints(source, KEYS, clock).write();
    const target = fakeEventStoreDb();
    const inSource = await verifyLedger(source, KEYS);
    expect(inSource.ok).toBe(true);
    expect(await migrationInto(source, target).run()).toMatchObject({ complete: true, eventsMigrated: 12 });

    expect(await verifyLedger(target, KEYS)).toMatchObject({ ok: true, eventsChecked: inSource.eventsChecked });
    await appendChainedEvent(target, 'key-0', 'KeyTagged', { i: 9 });
    await expect(new LedgerCheckpoints(target, KEYS, clock).write()).resolves.toMatchObject({ written: true });
    expect(await verifyLedger(target, KEYS)).toMatchObject({ ok: true, eventsChecked: inSource.eventsChecked + 2 });
    await Promise.all([source.close(), target.close()]);
  });

  it('v1 checkpoints (positions of the embedded store) are re-signed for the target: verify holds them, the writer extends them', async () => {
    const source = await ledgerWithV1Checkpoints();
    const target = fakeEventStoreDb();
    // Copied as they are, the v1 checkpoints would name embedded positions the target does not have.
    const result = await migrationInto(source, target, { checkpointKeys: () => KEYS }).run();
    expect(result).toMatchObject({ complete: true, eventsMigrated: 10, checkpointsRewritten: 2 });
    const inSource = await verifyLedger(source, KEYS);
    expect(inSource).toMatchObject({ ok: true, checkpoints: 2 });
    expect(await verifyLedger(target, KEYS)).toMatchObject({ ok: true, checkpoints: 2, eventsChecked: 10 });
    const [, second] = await target.readStream(CHECKPOINT_STREAM);
    const [, sourceSecond] = await source.readStream(CHECKPOINT_STREAM);
    expect((second!.data as { position: string }).position).not.toBe(
      (sourceSecond!.data as { position: string }).position,
    );
    // Everything but the re-signed checkpoints is identical; they are proven by verify instead.
    await expect(compareLedgers(source, target, 4)).rejects.toThrow(/ledger-checkpoints/);
    await expect(compareLedgers(source, target, 4, undefined, true)).resolves.toMatchObject({ events: 10 });
    await appendChainedEvent(target, 'key-0', 'KeyTagged', { i: 9 });
    await expect(new LedgerCheckpoints(target, KEYS, new ManualClock(new Date())).write()).resolves.toMatchObject({
      written: true,
    });
    expect(await verifyLedger(target, KEYS)).toMatchObject({ ok: true, checkpoints: 3 });
    await Promise.all([source.close(), target.close()]);
  });

  it('a resumed migration goes on re-signing where the last run stopped, and the chain holds', async () => {
    const source = await ledgerWithV1Checkpoints();
    const target = fakeEventStoreDb();
    const options = { checkpointKeys: () => KEYS };
    // Stops after the first checkpoint was translated: the second must chain onto it, read back from the target.
    expect(await migrationInto(source, target, { ...options, maxEvents: 5 }).run()).toMatchObject({ complete: false });
    expect(await migrationInto(source, target, options).run()).toMatchObject({ complete: true, resumed: true });
    expect(await verifyLedger(target, KEYS)).toMatchObject({ ok: true, checkpoints: 2, eventsChecked: 10 });
    await Promise.all([source.close(), target.close()]);
  });

  it('an event a checkpoint names ends its append, so its target position is known before the checkpoint is copied', async () => {
    const source = await ledgerWithV1Checkpoints();
    const rewrite = (await CheckpointRewrite.plan(source, fakeEventStoreDb(), () => KEYS))!;
    const [named] = await source.readStream('alias-a');
    const around = [named!.position - 1n, named!.position, named!.position + 1n].map((position, i) => ({
      ...recorded('s', i, 1),
      position,
    }));
    expect(rewrite.cutAtNamedEvents([around]).map((run) => run.map((e) => e.position))).toEqual([
      [named!.position - 1n, named!.position],
      [named!.position + 1n],
    ]);
    expect(rewrite.cutAtNamedEvents([around.slice(0, 2)])).toEqual([around.slice(0, 2)]);
    await expect(CheckpointRewrite.plan(source, new SqliteEventStore(join(dir, 'same.db')), () => KEYS)).resolves.toBe(
      undefined,
    );
    await source.close();
  });

  it('without the root key, v1 checkpoints are refused before anything is written', async () => {
    const source = await ledgerWithV1Checkpoints();
    const target = fakeEventStoreDb();
    const noKey = () => {
      throw new Error('KEYLEDGER_ROOT_KEY is not set');
    };
    await expect(migrationInto(source, target, { checkpointKeys: noKey }).run()).rejects.toThrow(
      /v1 checkpoints, which name positions of the sqlite store; .* root key, which could not be used \(KEYLEDGER_ROOT_KEY is not set\)/,
    );
    await expect(migrationInto(source, target).run()).rejects.toThrow(CliFailure);
    expect(await target.readAll()).toEqual([]);
    // Between two embedded stores positions carry over (dense, same order): copied as they are, no key needed.
    const copy = new SqliteEventStore(join(dir, 'copy.db'));
    await expect(migrationInto(source, copy).run()).resolves.toMatchObject({ complete: true, checkpointsRewritten: 0 });
    expect(await verifyLedger(copy, KEYS)).toMatchObject({ ok: true, checkpoints: 2 });
    await Promise.all([source.close(), target.close(), copy.close()]);
  });
});

/**
 * A ledger as the previous version wrote it: two v1 checkpoints (every head
 * listed, MAC'd with the v1 key, naming embedded positions), events around them.
 */
async function ledgerWithV1Checkpoints(): Promise<SqliteEventStore> {
  const source = new SqliteEventStore(join(dir, 'ledger.db'));
  let previous: string | null = null;
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 3; i++) await appendChainedEvent(source, `key-${i}`, 'KeyTagged', { round, i });
    // A second, taller stream, so target positions do not line up with the source's by chance.
    await appendChainedEvent(source, 'alias-a', 'AliasCreated', { round, pad: 'x'.repeat(40) });
    const streams: Record<string, { revision: string; hash: string }> = {};
    let position = 0n;
    for (const event of await source.readAll()) {
      if (event.streamName === CHECKPOINT_STREAM) continue;
      streams[event.streamName] = { revision: event.revision.toString(), hash: integrityOf(event.metadata)!.hash };
      position = event.position;
    }
    const sorted = Object.fromEntries(Object.entries(streams).sort(([a], [b]) => (a < b ? -1 : 1)));
    const body = {
      time: new Date().toISOString(),
      position: position.toString(),
      streams: sorted,
      previousCheckpointHash: previous,
    };
    const data = { ...body, signature: signCheckpointV1(body, KEYS.macKey!) };
    const metadata = withIntegrity(
      { streamName: CHECKPOINT_STREAM, revision: BigInt(round), type: CHECKPOINT_EVENT_TYPE, data, metadata: {} },
      previous,
    );
    await source.appendToStream(
      CHECKPOINT_STREAM,
      [{ type: CHECKPOINT_EVENT_TYPE, data: data as unknown as JsonObject, metadata: metadata as JsonObject }],
      { expectedRevision: round === 0 ? 'no_stream' : BigInt(round - 1) },
    );
    previous = integrityOf(metadata)!.hash;
  }
  return source;
}
