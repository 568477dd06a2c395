import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { EsdbEventStore, SqliteEventStore, type RecordedEvent } from '@keyledger/event-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// The client double that follows the server's documented behaviour, 1 MiB append limit included.
import { FakeEsdbClient } from '../../../../../libs/event-store/src/contract/esdb-fake-client.js';
import { LEDGER_VIEW_SNAPSHOT_FILE } from '../../infrastructure/infrastructure.module.js';
import { CliFailure } from '../cli-errors.js';
import { VIEW_SNAPSHOT_FILE, invalidateViewSnapshot } from '../commands/migrate.command.js';
import {
  EVENTSTOREDB_APPEND_BUDGET,
  LedgerMigration,
  appendSizeOf,
  compareLedgers,
  splitIntoRuns,
} from './ledger-migration.js';

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
