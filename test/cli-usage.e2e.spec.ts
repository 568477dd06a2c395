import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRecorder } from '@keyledger/app';
import { ManualClock } from '@keyledger/ledger';
import { UNUSED_KEYS_COLUMNS, USAGE_COLUMNS } from '../apps/keyledger/src/usage/usage-openapi.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { cli, REPO_ROOT as ROOT } from './support/cli-process.js';

const DAY = 86_400_000;

// Each test runs the CLI several times, each its own Node process: slow on a loaded machine.
describe('keyledger usage, backing-keys, deletion-impact, report unused-keys', { timeout: 120_000 }, () => {
  let h: Harness;
  let used: string;
  let idle: string;
  let api: string[];
  let direct: string[];
  const start = Date.now() - 100 * DAY;

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    // The keys are made and used 100 days ago; then the clock comes to now, where the CLI signs and reads.
    h = await startKeyledger({ clock: new ManualClock(start), env: { KEYLEDGER_USAGE_FLUSH_MS: '0' } });
    used = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    idle = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (let i = 0; i < 3; i++) await h.kms.send(new EncryptCommand({ KeyId: used, Plaintext: Buffer.from(`${i}`) }));
    await h.app.get(UsageRecorder).flush();
    h.clock.advance(Date.now() - h.clock.now().getTime());
    api = ['--url', h.url, '--access-key-id', ADMIN.accessKeyId, '--secret-access-key', ADMIN.secretAccessKey];
    direct = ['--data-dir', h.dataDir];
  }, 120_000);
  afterAll(() => h.close());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field
  async function bothModes(args: string[]): Promise<[any, any]> {
    const viaApi = await cli([...args, ...api]);
    expect(viaApi.code, viaApi.stderr).toBe(0);
    const viaFiles = await cli([...args, ...direct]);
    expect(viaFiles.code, viaFiles.stderr).toBe(0);
    return [JSON.parse(viaApi.stdout), JSON.parse(viaFiles.stdout)];
  }

  it('usage: the same counts through the API and from the files, and CSV', async () => {
    const window = ['--from', new Date(start - DAY).toISOString(), '--to', new Date().toISOString()];
    const [viaApi, viaFiles] = await bothModes(['usage', used, ...window]);
    expect(viaApi.totals).toEqual({ count: 3, refused: 0 });
    expect(viaApi.groups).toHaveLength(1);
    expect(viaApi.groups[0]).toMatchObject({ operation: 'Encrypt', count: 3 });
    expect(viaFiles).toEqual(viaApi);
    const csv = await cli(['usage', used, ...window, '--group-by', 'operation', '--format', 'csv', ...api]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n').slice(0, 2)).toEqual([
      USAGE_COLUMNS.join(','),
      expect.stringMatching(/^,Encrypt,,,3,0,/),
    ]);
  });

  it('backing-keys and deletion-impact name the backing key and the principal', async () => {
    const window = ['--from', new Date(start - DAY).toISOString(), '--to', new Date().toISOString()];
    const [keys, keysFromFiles] = await bothModes(['backing-keys', used, ...window]);
    expect(keys.backingKeys).toHaveLength(1);
    expect(keys.backingKeys[0]).toMatchObject({ current: true, count: 3, operations: { Encrypt: 3 } });
    expect(keysFromFiles.backingKeys).toEqual(keys.backingKeys);

    const [impact, impactFromFiles] = await bothModes(['deletion-impact', used, '--days', '200']);
    expect(impact).toMatchObject({ used: true, count: 3, days: 200 });
    expect(impact.principals.map((p: { principal: string }) => p.principal)).toEqual([
      expect.stringMatching(/^arn:aws:iam::111122223333:user\//),
    ]);
    expect(impactFromFiles.principals).toEqual(impact.principals);
    const [recent] = await bothModes(['deletion-impact', used, '--days', '30']);
    expect(recent).toMatchObject({ used: false, principals: [] });
  });

  it('report unused-keys lists keys unused for --days, as JSON and CSV', async () => {
    const [viaApi, viaFiles] = await bothModes(['report', 'unused-keys', '--days', '90']);
    const listed = (r: { keys: Array<{ keyId: string }> }) => r.keys.map((k) => k.keyId).sort();
    expect(listed(viaApi)).toEqual([used, idle].sort());
    expect(viaFiles.keys).toEqual(viaApi.keys);
    const csv = await cli(['report', 'unused-keys', '--format', 'csv', ...direct]);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe(UNUSED_KEYS_COLUMNS.join(','));
    expect(lines).toHaveLength(3);
    expect(listed(JSON.parse((await cli(['report', 'unused-keys', '--days', '120', ...direct])).stdout))).toEqual([]);
  });

  it.each([
    [['usage', 'k', '--from', 'yesterday'], "--from 'yesterday' is not an ISO 8601"],
    [['usage', 'k', '--format', 'xml'], '--format must be json or csv'],
    [['deletion-impact', 'k', '--days', '0'], "--days must be a positive integer, got '0'"],
    [['report', 'unused-keys', '--as-of', '2026-01-01'], '--as-of does not apply to unused-keys'],
    [['report', 'inventory', '--days', '3'], '--days only applies to unused-keys'],
  ])('%j is a usage error', async (args, message) => {
    const run = await cli(args);
    expect(run.stderr).toContain(message);
    expect(run.code).toBe(2);
  });

  it("a bad --group-by is the server's 400: exit 1 with its message", async () => {
    const run = await cli(['usage', used, '--group-by', 'colour', ...api]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ValidationException');
  });
});
