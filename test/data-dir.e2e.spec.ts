import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';

const ROOT = resolve(import.meta.dirname, '..');
const open: Harness[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data directory made by a server that created a key and encrypted with it, then stopped. */
async function usedDataDir(): Promise<string> {
  const h = await startKeyledger();
  dirs.push(h.dataDir);
  const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await h.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
  await h.stop();
  return h.dataDir;
}

async function startFails(dataDir: string): Promise<string> {
  try {
    open.push(await startKeyledger({ dataDir }));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the start to be refused');
}

describe('the data directory at start', () => {
  it('is locked: a second server on it is refused, naming the holder; free again once the first stops', async () => {
    const first = await startKeyledger();
    dirs.push(first.dataDir);
    const message = await startFails(first.dataDir);
    expect(message).toContain(`data directory ${first.dataDir} is in use by a keyledger server`);
    expect(message).toContain(`pid ${process.pid}`);
    await first.stop();
    open.push(await startKeyledger({ dataDir: first.dataDir }));
  });

  it('refuses a missing root key and makes no new one', async () => {
    const dir = await usedDataDir();
    unlinkSync(join(dir, 'root.key'));
    const message = await startFails(dir);
    expect(message).toMatch(/^root key file .*root\.key is missing, but .* exist; refusing to make a new one/);
    expect(message).toContain('restore root.key from your backup');
    expect(existsSync(join(dir, 'root.key'))).toBe(false);
  });

  it('refuses a different root key, naming it and the record it does not match', async () => {
    const dir = await usedDataDir();
    writeFileSync(join(dir, 'root.key'), randomBytes(32), { mode: 0o600 });
    expect(await startFails(dir)).toBe(
      `root key ${join(dir, 'root.key')} is not the one ${join(dir, 'keyledger-data-dir.json')} recorded when this data directory was made; restore the right root key from your backup`,
    );
  });

  it('refuses a missing vault, pointing to the backup, and makes no empty one', async () => {
    const dir = await usedDataDir();
    unlinkSync(join(dir, 'vault.db'));
    const message = await startFails(dir);
    expect(message).toMatch(/^key vault .*vault\.db is missing, but .*keyledger-data-dir\.json records vault /);
    expect(message).toContain('restore vault.db from your backup');
    expect(existsSync(join(dir, 'vault.db'))).toBe(false);
  });

  it('refuses a vault from another data directory', async () => {
    const dir = await usedDataDir();
    const other = await usedDataDir();
    copyFileSync(join(other, 'vault.db'), join(dir, 'vault.db'));
    expect(await startFails(dir)).toMatch(
      /^key vault .*vault\.db is vault [0-9a-f-]{36}, not vault [0-9a-f-]{36} that /,
    );
  });

  it('a directory made before the record: a missing vault is refused while the ledger holds key material', async () => {
    const dir = await usedDataDir();
    unlinkSync(join(dir, 'keyledger-data-dir.json'));
    unlinkSync(join(dir, 'vault.db'));
    expect(await startFails(dir)).toMatch(
      /vault\.db is missing, but .*ledger\.db holds key material sealed under its keys/,
    );
  });

  it('removes snapshot temporaries a stopped server left behind, and nothing else', async () => {
    const dir = await usedDataDir();
    writeFileSync(join(dir, 'ledger-view.snapshot.4242.tmp'), 'partial');
    writeFileSync(join(dir, 'ledger-view.snapshot.notes'), 'kept');
    open.push(await startKeyledger({ dataDir: dir }));
    expect(existsSync(join(dir, 'ledger-view.snapshot.4242.tmp'))).toBe(false);
    expect(existsSync(join(dir, 'ledger-view.snapshot.notes'))).toBe(true);
  });

  it('a directory made before the record gets one on its next start, and is checked from then on', async () => {
    const dir = await usedDataDir();
    unlinkSync(join(dir, 'keyledger-data-dir.json'));
    open.push(await startKeyledger({ dataDir: dir }));
    await open.pop()!.stop();
    const record = JSON.parse(readFileSync(join(dir, 'keyledger-data-dir.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(record).sort()).toEqual(['createdAt', 'format', 'rootKeyCheck', 'vaultId']);
    // The check value is not the key, nor any encoding of it.
    const key = readFileSync(join(dir, 'root.key'));
    expect(readFileSync(join(dir, 'keyledger-data-dir.json'), 'utf8')).not.toContain(key.toString('hex').slice(0, 16));
  });
});

describe('the server process refuses in one line', () => {
  beforeAll(() => execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' }), 120_000);

  it('a missing root key: one line on stderr naming the file, exit 1', async () => {
    const dir = await usedDataDir();
    unlinkSync(join(dir, 'root.key'));
    const run = spawnSync(process.execPath, ['apps/keyledger/dist/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: '0', KEYLEDGER_DATA_DIR: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(join(dir, 'root.key'));
  });

  it("the CLI's writing commands respect the lock: migrate into a served data directory is refused", async () => {
    const source = await usedDataDir();
    const served = await startKeyledger();
    dirs.push(served.dataDir);
    open.push(served);
    const run = spawnSync(
      process.execPath,
      ['apps/keyledger/bin/keyledger.js', 'migrate', '--data-dir', source, '--to-data-dir', served.dataDir],
      { cwd: ROOT, env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `keyledger migrate: data directory ${served.dataDir} is in use by a keyledger server (pid ${process.pid} on host ${hostname()}, since ${JSON.parse(readFileSync(join(served.dataDir, 'keyledger.lock.json'), 'utf8')).since}); stop it first\n`,
    );
    expect(run.stdout).toBe('');
  });
});
