import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, sendAndAwaitClose } from './raw-http.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Issue 11, point 18: about 3,000 failed Decrypts wrote 1.9 MB of stacks. Only a 5xx may log one. */
describe('client errors leave no stack in the log', () => {
  let child: ChildProcess;
  let dataDir: string;
  let url: string;
  let output = '';

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-quiet-'));
    child = spawn(process.execPath, ['apps/keyledger/dist/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: '0', KEYLEDGER_DATA_DIR: dataDir, KEYLEDGER_REQUEST_TIMEOUT_MS: '300' },
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

  it('bad ciphertexts, unknown routes, oversized bodies, malformed HTTP and cut-off bodies log no stack, only their access lines', async () => {
    const credentials = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const kms = new KMSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const before = output.length;
    for (let i = 0; i < 50; i++) {
      await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(64, i) })).catch(() => undefined);
    }
    kms.destroy();
    const port = Number(new URL(url).port);
    expect((await exchange(port, 'GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n')).status).toBe(404);
    expect((await exchange(port, 'NOT HTTP\r\n\r\n')).status).toBe(400);
    expect(
      (await exchange(port, `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${4 * 1024 * 1024}\r\n\r\n{`)).status,
    ).toBe(413);
    expect((await sendAndAwaitClose(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{')).status).toBe(
      408,
    );
    // A request after them all, so everything they could have logged is in the output.
    expect((await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n')).status).toBe(200);
    // What is left is the access log: one JSON line per request, none with a stack or an error level.
    const lines = output
      .slice(before)
      .split('\n')
      .filter((line) => line !== '');
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed).toMatchObject({ context: 'access', msg: 'request', level: 'info' });
      expect(parsed).not.toHaveProperty('stack');
    }
    expect(output.slice(before)).not.toMatch(/\n\s+at /);
  });
});
