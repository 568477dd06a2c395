import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** The server as `npm start` runs it: the built entry point in its own process, with nothing configured. */
describe('the server process', () => {
  let child: ChildProcess;
  let dataDir: string;
  let url: string;
  let output = '';

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-process-'));
    child = spawn(process.execPath, ['apps/keyledger/dist/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: '0', KEYLEDGER_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolveUrl, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/[^\s]+)/.exec(output);
        if (match) resolveUrl(match[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /healthz on the embedded store', async () => {
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(statSync(join(dataDir, 'ledger.db')).isFile()).toBe(true);
  });

  it('generates admin credentials in a 0600 file, says where, and never logs the secret', async () => {
    const file = join(dataDir, 'admin-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'root.key')).mode & 0o777).toBe(0o600);
    const credentials = JSON.parse(readFileSync(file, 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    expect(output).toContain(file);
    expect(output).not.toContain(credentials.secretAccessKey);
    const kms = new KMSClient({ endpoint: url, region: 'us-east-1', credentials });
    expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
    kms.destroy();
  });

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
