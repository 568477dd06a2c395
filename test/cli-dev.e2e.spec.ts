import { CreateKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, ROOT } from './observability/server-process.js';

const TEST_TEST = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Dev {
  child: ChildProcess;
  out(): string;
  /** The banner's endpoint and data directory, once printed. */
  banner: Promise<{ url: string; dataDir: string }>;
  exited: Promise<number | null>;
}

/** `npx keyledger dev …` as a user runs it: the CLI's bin, its own process. */
function dev(...args: string[]): Dev {
  const child = spawn(process.execPath, ['apps/keyledger/bin/keyledger.js', 'dev', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const banner = new Promise<{ url: string; dataDir: string }>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /development server on (http:\/\/\S+)/.exec(out)?.[1];
      const dataDir = /\n {2}data {9}(\S+)/.exec(out)?.[1];
      if (url && dataDir) resolve({ url, dataDir });
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then((code) => reject(new Error(`keyledger dev exited with ${code}: ${out}`)));
  });
  banner.catch(() => undefined);
  return { child, out: () => out, banner, exited };
}

describe('keyledger dev (issue 17, point 5)', () => {
  beforeAll(() => build(), 120_000);

  describe('with a temporary data directory', () => {
    let server: Dev;
    beforeAll(() => {
      server = dev('--port', '0');
    });
    afterAll(async () => {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    });

    it('serves on loopback, prints the endpoint and test/test, accepts them, and removes its data on Ctrl-C', async () => {
      const { url, dataDir } = await server.banner;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.out()).toContain('AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test');
      expect(server.out()).toContain(`aws --region us-east-1 --endpoint-url ${url} kms create-key`);
      expect(server.out()).toMatch(/DEVELOPMENT MODE/);
      const kms = new KMSClient({ endpoint: url, region: 'us-east-1', credentials: TEST_TEST, maxAttempts: 1 });
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      expect((await kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).toContain(keyId);
      expect(existsSync(join(dataDir, 'ledger.db'))).toBe(true);

      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
      expect(existsSync(dataDir)).toBe(false);
    }, 120_000);
  });

  it('keeps a --data-dir it was given', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'keyledger-dev-kept-'));
    const dataDir = join(parent, 'data');
    try {
      const server = dev('--port', '0', '--data-dir', dataDir);
      expect((await server.banner).dataDir).toBe(dataDir);
      expect(server.out()).not.toContain('temporary');
      server.child.kill('SIGTERM');
      const code = await server.exited;
      if (code !== 0) console.log(server.out());
      expect(code).toBe(0);
      expect(readdirSync(dataDir)).toContain('ledger.db');
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a port that is not one, as a usage error', async () => {
    const server = dev('--port', 'http');
    expect(await server.exited).toBe(2);
    expect(server.out()).toContain("keyledger: --port must be 0 to 65535, got 'http'");
  }, 60_000);
});
