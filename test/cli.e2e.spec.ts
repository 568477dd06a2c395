import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, LEDGER_FILE_NAME, type RecordedEvent } from '@keyledger/event-store';
import { ManualClock } from '@keyledger/ledger';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { cli, CLI_BIN as BIN, REPO_ROOT as ROOT } from './support/cli-process.js';

const DAY = 86_400_000;

async function readLedger(dataDir: string): Promise<RecordedEvent[]> {
  const store = new SqliteEventStore(join(dataDir, LEDGER_FILE_NAME));
  try {
    const events: RecordedEvent[] = [];
    let after: bigint | 'start' = 'start';
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      if (page.length === 0) return events;
      events.push(...page);
      after = page[page.length - 1].position;
    }
  } finally {
    await store.close();
  }
}

/** What a migration must keep: everything but the target's own recorded time. */
const essence = (e: RecordedEvent) => ({
  streamName: e.streamName,
  revision: e.revision.toString(),
  position: e.position.toString(),
  id: e.id,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
});

const checkpointFiles = (dataDir: string) => readdirSync(dataDir).filter((f) => /^migrate-[0-9a-f]{16}\.json$/.test(f));

describe('keyledger CLI', () => {
  let sourceDir: string;
  let scratch: string;
  let source: RecordedEvent[];
  let keyA: string;
  let keyB: string;
  let blobBeforeRotation: string;
  /** Domain times of the story the ledger tells, for --as-of. */
  let t0: Date;
  let afterDisable: Date;

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    scratch = mkdtempSync(join(tmpdir(), 'keyledger-cli-'));
    // The story starts 400 days ago and ends now, so a server on the real clock can serve it later.
    t0 = new Date(Date.now() - 400 * DAY);
    const clock = new ManualClock(t0);
    const h: Harness = await startKeyledger({ clock });
    sourceDir = h.dataDir;
    try {
      const kms = () => h.kms;
      keyA = (await kms().send(new CreateKeyCommand({ Description: 'payments' }))).KeyMetadata!.KeyId!;
      await kms().send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: keyA }));
      const encrypted = await kms().send(new EncryptCommand({ KeyId: keyA, Plaintext: Buffer.from('card 4111') }));
      blobBeforeRotation = Buffer.from(encrypted.CiphertextBlob!).toString('base64');
      clock.advanceDays(10);
      await kms().send(new RotateKeyOnDemandCommand({ KeyId: keyA }));
      await kms().send(new EnableKeyRotationCommand({ KeyId: keyA, RotationPeriodInDays: 90 }));
      keyB = (await kms().send(new CreateKeyCommand({ Description: 'legacy' }))).KeyMetadata!.KeyId!;
      await kms().send(new TagResourceCommand({ KeyId: keyB, Tags: [{ TagKey: 'team', TagValue: 'core' }] }));
      clock.advanceDays(10);
      await kms().send(new DisableKeyCommand({ KeyId: keyB }));
      afterDisable = clock.now();
      // Enough further events for migrations to span several batches and streams.
      for (let i = 0; i < 12; i++) {
        const keyId = (await kms().send(new CreateKeyCommand({ Description: `bulk ${i}` }))).KeyMetadata!.KeyId!;
        await kms().send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: `bulk ${i} (renamed)` }));
        if (i % 4 === 0) await kms().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      }
    } finally {
      await h.stop();
    }
    source = await readLedger(sourceDir);
  }, 180_000);

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(sourceDir, { recursive: true, force: true });
  });

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

  describe('usage errors exit 2 and say why', () => {
    it.each([
      [['frobnicate'], "unknown command 'frobnicate'"],
      [['verfy'], "unknown command 'verfy'; did you mean 'verify'?"],
      [['reprot', 'inventory'], "did you mean 'report'?"],
      [
        ['report', 'rotation-compliance', '--max-age-days', '-3'],
        "--max-age-days must be a positive integer, got '-3'",
      ],
      [['verify', '--url', 'ftp://127.0.0.1:8080'], 'must start with http:// or https://'],
      [['verify', '--url', 'http//x y'], 'is not a URL'],
      [['verify', '--url', 'http://127.0.0.1:8080/v1/keys'], 'without a path or query'],
      [['verify', '--url', 'http://u:p@127.0.0.1:8080'], 'must not carry credentials'],
      [['export', '--bogus'], "Unknown option '--bogus'"],
      [['export'], '--to <file.jsonl | -> is required'],
      [['migrate', '--to-data-dir', '/tmp/x', '--to', 'esdb://localhost:2113'], 'give exactly one of'],
      [['migrate', '--to', 'postgres://db'], 'is not an EventStoreDB/KurrentDB connection string'],
      [['migrate', '--to-data-dir', '/tmp/x', '--batch-size', '0'], '--batch-size must be a positive integer'],
      [['history'], 'missing argument: <keyId>'],
      [['history', 'a', 'b'], "unexpected argument 'b'"],
      [['state', 'k', '--as-of', 'last tuesday'], 'is not an ISO 8601 date'],
      [['report', 'everything'], "unknown report 'everything'"],
      [['report', 'inventory', '--format', 'xml'], '--format must be json or csv'],
      [['report', 'inventory', '--max-age-days', '30'], '--max-age-days only applies to rotation-compliance'],
      [['verify', '--url', 'http://127.0.0.1:1'], 'API mode needs credentials'],
      [['verify', '--url', 'http://127.0.0.1:1', '--data-dir', '/tmp'], 'cannot be combined'],
      [['decryptability', 'not base64!'], '<blob> must be base64'],
    ])('%j', async (args, message) => {
      const run = await cli(args);
      expect(run.stderr).toContain(message);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
    });

    it('prints help for each command on stdout with exit 0', async () => {
      for (const command of ['verify', 'history', 'state', 'decryptability', 'report', 'export', 'migrate']) {
        const run = await cli([command, '--help']);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`Usage: keyledger ${command}`);
      }
      const general = await cli(['--help']);
      expect(general.stdout).toContain('Exit codes: 0 ok, 1 failure');
      expect((await cli([])).code).toBe(2);
    });
  });

  it('bin/keyledger.js says to build when the CLI is not built', async () => {
    const fakeRoot = mkdtempSync(join(scratch, 'unbuilt-'));
    mkdirSync(join(fakeRoot, 'bin'));
    copyFileSync(BIN, join(fakeRoot, 'bin', 'keyledger.js'));
    const run = await cli(['--help'], {}, join(fakeRoot, 'bin', 'keyledger.js'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Run 'npm run build'");
  });

  // The ledger queries are the read-models library's; these run the CLI over them, directly and through the API.
  describe('queries (direct mode)', () => {
    const direct = () => ['--data-dir', sourceDir];

    it('verify: ok on the ledger, exit 1 with the first bad event once an event is altered', async () => {
      const run = await cli(['verify', ...direct()]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, eventsChecked: source.length });

      const tampered = join(scratch, 'tampered');
      mkdirSync(tampered);
      for (const file of readdirSync(sourceDir).filter((f) => f === LEDGER_FILE_NAME || f === 'root.key'))
        copyFileSync(join(sourceDir, file), join(tampered, file));
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(join(tampered, LEDGER_FILE_NAME));
      db.prepare(
        "UPDATE events SET data = json_set(data, '$.description', 'forged') WHERE stream = ? AND revision = 0",
      ).run(`key-${keyB}`);
      db.close();
      const bad = await cli(['verify', '--data-dir', tampered]);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({
        ok: false,
        firstBadEvent: { streamName: `key-${keyB}`, revision: '0' },
      });
    });

    it('history: every event of the key, oldest first', async () => {
      const run = await cli(['history', keyA, ...direct()]);
      expect(run.code, run.stderr).toBe(0);
      const history = JSON.parse(run.stdout) as { keyId: string; events: Array<{ type: string }> };
      expect(history.keyId).toBe(keyA);
      expect(history.events.map((e) => e.type)).toEqual(
        source.filter((e) => e.streamName === `key-${keyA}`).map((e) => e.type),
      );
      const missing = await cli(['history', '00000000-0000-0000-0000-000000000000', ...direct()]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('does not exist');
    });

    it('state --as-of: the key as it was then', async () => {
      const before = await cli([
        'state',
        keyB,
        '--as-of',
        new Date(afterDisable.getTime() - DAY).toISOString(),
        ...direct(),
      ]);
      expect(before.code, before.stderr).toBe(0);
      expect(JSON.parse(before.stdout)).toMatchObject({ keyId: keyB, keyState: 'Enabled', description: 'legacy' });
      const now = await cli(['state', keyB, ...direct()]);
      expect(JSON.parse(now.stdout)).toMatchObject({ keyId: keyB, keyState: 'Disabled' });
    });

    it('decryptability --as-of: replayed, never decrypted', async () => {
      const then = await cli([
        'decryptability',
        blobBeforeRotation,
        '--as-of',
        new Date(t0.getTime() + 60_000).toISOString(),
        ...direct(),
      ]);
      expect(then.code, then.stderr).toBe(0);
      expect(JSON.parse(then.stdout)).toMatchObject({ decryptable: true, reason: 'DECRYPTABLE', keyId: keyA });
      const before = await cli([
        'decryptability',
        blobBeforeRotation,
        '--as-of',
        new Date(t0.getTime() - DAY).toISOString(),
        ...direct(),
      ]);
      expect(JSON.parse(before.stdout)).toMatchObject({ decryptable: false, reason: 'KEY_NOT_CREATED' });
      const file = join(scratch, 'blob.bin');
      writeFileSync(file, Buffer.from(blobBeforeRotation, 'base64'));
      const fromFile = await cli(['decryptability', `fileb://${file}`, ...direct()]);
      expect(JSON.parse(fromFile.stdout)).toMatchObject({ decryptable: true, keyId: keyA });
    });

    it('report inventory and rotation-compliance, as JSON and CSV', async () => {
      const inventory = await cli(['report', 'inventory', ...direct()]);
      expect(inventory.code, inventory.stderr).toBe(0);
      const keys = (JSON.parse(inventory.stdout) as { keys: Array<{ keyId: string; aliases: string[] }> }).keys;
      expect(keys.length).toBe(14);
      expect(keys.find((k) => k.keyId === keyA)?.aliases).toEqual(['alias/payments']);

      const early = await cli([
        'report',
        'inventory',
        '--as-of',
        new Date(t0.getTime() + 60_000).toISOString(),
        '--format',
        'csv',
        ...direct(),
      ]);
      expect(early.code, early.stderr).toBe(0);
      const rows = early.stdout.trimEnd().split('\r\n');
      expect(rows[0]).toMatch(/^keyId,arn,region,primaryRegion,aliases,description,/);
      expect(rows.length).toBe(2);
      expect(rows[1]).toContain(keyA);

      const compliance = await cli([
        'report',
        'rotation-compliance',
        '--max-age-days',
        '30',
        '--format',
        'csv',
        ...direct(),
      ]);
      expect(compliance.code, compliance.stderr).toBe(0);
      const lines = compliance.stdout.trimEnd().split('\r\n');
      expect(lines[0]).toBe('keyId,region,primaryRegion,compliant,reason,currentKeyMaterialAgeDays,lastRotatedAt');
      // Key A's material became current 390 days ago: automatic rotation is on, so it is overdue.
      expect(lines.find((l) => l.startsWith(keyA))).toContain(',false,OVERDUE,');
    });
  });

  describe('queries (API mode, against a running server)', () => {
    let h: Harness;
    let api: string[];
    let direct: string[];
    beforeAll(async () => {
      // A copy: on the real clock the server's scheduler catches up (rotations, deletions) and appends.
      const copy = join(scratch, 'served');
      cpSync(sourceDir, copy, { recursive: true });
      h = await startKeyledger({ dataDir: copy, clock: new ManualClock(Date.now()) });
      api = ['--url', h.url, '--access-key-id', ADMIN.accessKeyId, '--secret-access-key', ADMIN.secretAccessKey];
      direct = ['--data-dir', copy];
    });
    afterAll(() => h.stop());

    /** The same command through the API and directly on the served data directory (read beside the server: WAL). */
    async function bothModes(args: string[]): Promise<{ viaApi: unknown; viaFiles: unknown }> {
      const viaApi = await cli([...args, ...api]);
      expect(viaApi.code, viaApi.stderr).toBe(0);
      const viaFiles = await cli([...args, ...direct]);
      expect(viaFiles.code, viaFiles.stderr).toBe(0);
      return { viaApi: JSON.parse(viaApi.stdout), viaFiles: JSON.parse(viaFiles.stdout) };
    }

    it('verify, history, state and decryptability answer as in direct mode', async () => {
      const verify = await bothModes(['verify']);
      expect(verify.viaApi).toMatchObject({ ok: true });
      // The server's verify and the CLI's own over the same files see the same ledger (durations aside).
      const counts = (r: unknown) => {
        const { ok, eventsChecked, streamsChecked, checkpoints } = r as Record<string, unknown>;
        return { ok, eventsChecked, streamsChecked, checkpoints };
      };
      expect(counts(verify.viaApi)).toEqual(counts(verify.viaFiles));
      expect((verify.viaFiles as { eventsChecked: number }).eventsChecked).toBeGreaterThanOrEqual(source.length);

      const history = await bothModes(['history', keyA]);
      expect((history.viaApi as { events: unknown[] }).events.length).toBeGreaterThanOrEqual(
        source.filter((e) => e.streamName === `key-${keyA}`).length,
      );
      expect(history.viaApi).toEqual(history.viaFiles);

      const asOf = new Date(afterDisable.getTime() - DAY).toISOString();
      const state = await bothModes(['state', keyB, '--as-of', asOf]);
      expect(state.viaApi).toMatchObject({ keyId: keyB, keyState: 'Enabled' });
      expect(state.viaApi).toEqual(state.viaFiles);

      const decryptability = await bothModes(['decryptability', blobBeforeRotation, '--as-of', asOf]);
      expect(decryptability.viaApi).toMatchObject({ decryptable: true, keyId: keyA });
      expect(decryptability.viaApi).toEqual(decryptability.viaFiles);
      // Eight CLI processes, each a Node start: on a loaded 2-core machine that is more than the default 30 s.
    }, 180_000);

    it('an alias (name or ARN) is accepted wherever a key id is, in both modes (issue 17 point 8)', async () => {
      const now = new Date().toISOString();
      const byId = await bothModes(['state', keyA, '--as-of', now]);
      const byAlias = await bothModes(['state', 'alias/payments', '--as-of', now]);
      expect(byAlias.viaApi).toEqual(byId.viaApi);
      expect(byAlias.viaFiles).toEqual(byId.viaFiles);
      const aliasArn = 'arn:aws:kms:us-east-1:111122223333:alias/payments';
      const history = await bothModes(['history', aliasArn]);
      expect(history.viaApi).toMatchObject({ keyId: keyA });
      expect(history.viaFiles).toEqual(history.viaApi);
      // Before the alias existed it named no key: said so, naming the alias and the time.
      const before = await cli([
        'state',
        'alias/payments',
        '--as-of',
        new Date(t0.getTime() - DAY).toISOString(),
        ...api,
      ]);
      expect(before.code).toBe(1);
      expect(before.stderr).toContain('Alias arn:aws:kms:us-east-1:111122223333:alias/payments is not found at');
      const unknown = await cli(['history', 'alias/nothing-here', ...direct]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('alias/nothing-here is not found');
    }, 120_000);

    it('reports as CSV, credentials from the environment', async () => {
      const run = await cli(['report', 'rotation-compliance', '--format', 'csv', '--url', h.url], {
        AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.split('\r\n')[0]).toContain('keyId');
      expect(run.stdout).toContain(keyA);
    });

    it('a wrong secret is refused by the server: exit 1 with its error', async () => {
      const run = await cli([
        'verify',
        '--url',
        h.url,
        '--access-key-id',
        ADMIN.accessKeyId,
        '--secret-access-key',
        'wrong',
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('InvalidSignatureException');
    });
  });
});
