import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_FILE_NAME, type RecordedEvent } from '@keyledger/event-store';
import { ManualClock } from '@keyledger/ledger';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { cli, CLI_BIN as BIN } from './support/cli-process.js';

import { cliStory, DAY } from './support/cli-story.js';

const story = cliStory();
let sourceDir: string;
let scratch: string;
let source: RecordedEvent[];
let keyA: string;
let keyB: string;
let blobBeforeRotation: string;
let t0: Date;
let afterDisable: Date;
beforeAll(() => {
  ({ sourceDir, scratch, source, keyA, keyB, blobBeforeRotation, t0, afterDisable } = story());
});

describe('keyledger CLI', () => {
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
