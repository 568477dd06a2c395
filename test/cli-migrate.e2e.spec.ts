import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, LEDGER_FILE_NAME, type RecordedEvent } from '@keyledger/event-store';
import { cli } from './support/cli-process.js';

import { cliStory, essence, readLedger } from './support/cli-story.js';

const checkpointFiles = (dataDir: string) => readdirSync(dataDir).filter((f) => /^migrate-[0-9a-f]{16}\.json$/.test(f));

const story = cliStory();
let sourceDir: string;
let scratch: string;
let source: RecordedEvent[];
beforeAll(() => {
  ({ sourceDir, scratch, source } = story());
});

describe('keyledger CLI: export and migrate', () => {
  describe('export', () => {
    it('writes every event in global order with its id, as JSON lines, exactly as stored', async () => {
      const file = join(scratch, 'ledger.jsonl');
      const run = await cli(['export', '--data-dir', sourceDir, '--to', file]);
      expect(run.stderr).toContain(`exported ${source.length} event(s)`);
      expect(run.code).toBe(0);
      const lines = readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(source.length).toBeGreaterThan(40);
      expect(lines).toEqual(source.map((e) => ({ ...essence(e), recordedAt: e.recordedAt.toISOString() })));
      expect(existsSync(`${file}.partial`)).toBe(false);
    });

    it("writes the same lines to stdout with '--to -'", async () => {
      const run = await cli(['export', '--to', '-'], { KEYLEDGER_DATA_DIR: sourceDir });
      expect(run.code).toBe(0);
      const ids = run.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id);
      expect(ids).toEqual(source.map((e) => e.id));
    });

    it('refuses a directory without a ledger instead of exporting an empty one', async () => {
      const empty = mkdtempSync(join(scratch, 'empty-'));
      const run = await cli(['export', '--data-dir', empty, '--to', join(scratch, 'none.jsonl')]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('no ledger at');
      expect(existsSync(join(empty, LEDGER_FILE_NAME))).toBe(false);
    });
  });

  describe('migrate --to-data-dir', () => {
    it('copies every stream, event id, order, data and metadata, and verifies the copy', async () => {
      const target = join(scratch, 'migrated');
      const run = await cli(['migrate', '--data-dir', sourceDir, '--to-data-dir', target, '--batch-size', '7']);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({
        complete: true,
        eventsMigrated: source.length,
        appendedThisRun: source.length,
        resumed: false,
      });
      expect(summary.comparison).toEqual({
        events: source.length,
        streams: new Set(source.map((e) => e.streamName)).size,
      });
      // Hash chains and signed checkpoints, checked on the target with the source's key.
      expect(summary.ledgerVerification).toMatchObject({ ok: true, eventsChecked: source.length });
      // Not TTY: a progress line per 10% instead of a redrawn bar.
      expect(run.stderr).toMatch(new RegExp(`\\[#{30}\\] 100% ${source.length}/${source.length} events`));
      const copied = await readLedger(target);
      expect(copied.map(essence)).toEqual(source.map(essence));
    });

    it('stops early with --max-events, then resumes to an identical ledger with no duplicates', async () => {
      const target = join(scratch, 'resumed');
      const first = await cli([
        'migrate',
        '--data-dir',
        sourceDir,
        '--to-data-dir',
        target,
        '--batch-size',
        '4',
        '--max-events',
        '10',
      ]);
      expect(first.code).toBe(1);
      expect(first.stderr).toContain('run the same command again to continue');
      expect(JSON.parse(first.stdout)).toMatchObject({ complete: false, eventsMigrated: 10, appendedThisRun: 10 });
      expect((await readLedger(target)).map(essence)).toEqual(source.slice(0, 10).map(essence));
      expect(checkpointFiles(sourceDir).length).toBeGreaterThan(0);

      const second = await cli(['migrate', '--data-dir', sourceDir, '--to-data-dir', target, '--batch-size', '4']);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain('resuming: 10 event(s) already migrated');
      expect(JSON.parse(second.stdout)).toMatchObject({
        complete: true,
        resumed: true,
        appendedThisRun: source.length - 10,
      });
      const copied = await readLedger(target);
      expect(new Set(copied.map((e) => e.id)).size).toBe(copied.length);
      expect(copied.map(essence)).toEqual(source.map(essence));
    });

    it('recognises events appended after the last checkpoint (a run killed in between) and skips them', async () => {
      const target = join(scratch, 'crashed');
      const args = ['migrate', '--data-dir', sourceDir, '--to-data-dir', target, '--batch-size', '5'];
      expect((await cli([...args, '--max-events', '5'])).code).toBe(1);
      const checkpoint = checkpointFiles(sourceDir)
        .map((f) => join(sourceDir, f))
        .find((f) => (JSON.parse(readFileSync(f, 'utf8')) as { target: string }).target === resolve(target))!;
      const stale = readFileSync(checkpoint);
      expect((await cli([...args, '--max-events', '5'])).code).toBe(1);
      // As if the process died after its second batch was committed but before its checkpoint was written.
      writeFileSync(checkpoint, stale);
      const run = await cli(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('5 event(s) after the checkpoint were already in the target');
      expect(JSON.parse(run.stdout)).toMatchObject({
        complete: true,
        foundInTarget: 5,
        appendedThisRun: source.length - 10,
      });
      expect((await readLedger(target)).map(essence)).toEqual(source.map(essence));

      // With no checkpoint at all the whole target is compared, and the run is a no-op.
      rmSync(checkpoint);
      const again = await cli(args);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({
        complete: true,
        foundInTarget: source.length,
        appendedThisRun: 0,
      });
      expect((await readLedger(target)).length).toBe(source.length);
    });

    it('fails without writing when the target holds events that are not this ledger', async () => {
      const target = join(scratch, 'foreign');
      const store = new SqliteEventStore(join(target, LEDGER_FILE_NAME));
      await store.appendToStream(source[0].streamName, [{ type: 'Foreign', data: { x: 1 } }]);
      await store.close();
      const run = await cli(['migrate', '--data-dir', sourceDir, '--to-data-dir', target]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('the target diverges from the source');
      const after = await readLedger(target);
      expect(after.map((e) => e.type)).toEqual(['Foreign']);
    });

    it('refuses a checkpoint whose events the target no longer holds', async () => {
      const target = join(scratch, 'reset');
      const args = ['migrate', '--data-dir', sourceDir, '--to-data-dir', target];
      expect((await cli([...args, '--max-events', '3'])).code).toBe(1);
      rmSync(target, { recursive: true });
      const run = await cli(args);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('the target no longer holds');
    });
  });

  describe.skipIf(!process.env.KEYLEDGER_ESDB_TEST_URL)(
    'migrate --to esdb:// (skipped: set KEYLEDGER_ESDB_TEST_URL; no Docker engine on these machines)',
    () => {
      it('copies the ledger into EventStoreDB/KurrentDB and verifies it, and a second run appends nothing', async () => {
        const url = process.env.KEYLEDGER_ESDB_TEST_URL!;
        const args = ['migrate', '--data-dir', sourceDir, '--to', url, '--batch-size', '9'];
        const first = await cli([...args, '--max-events', '9']);
        expect(first.code).toBe(1);
        const run = await cli(args);
        expect(run.code, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({
          complete: true,
          eventsMigrated: source.length,
          comparison: { events: source.length },
        });
        const again = await cli(args);
        expect(again.code, again.stderr).toBe(0);
        expect(JSON.parse(again.stdout)).toMatchObject({ appendedThisRun: 0 });
      }, 120_000);
    },
  );
});
