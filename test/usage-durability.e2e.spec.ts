import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GetKeyLastUsageCommand,
  KMSClient,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalQuery, signRequest } from '../apps/keyledger/src/cli/api/sigv4-signer.js';
import { ADMIN } from './support/keyledger-harness.js';

const ROOT = resolve(import.meta.dirname, '..');
/** Long enough never to fire during the test: only what a test flushes, or nothing, is appended. */
const NEVER_MS = '3600000';

interface Server {
  child: ChildProcess;
  url: string;
  kms: KMSClient;
}

/** The built server in its own process, as `npm start` runs it. */
async function startServer(dataDir: string, flushMs: string): Promise<Server> {
  const child = spawn(process.execPath, ['apps/keyledger/dist/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      KEYLEDGER_DATA_DIR: dataDir,
      KEYLEDGER_ACCESS_KEY_ID: ADMIN.accessKeyId,
      KEYLEDGER_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
      KEYLEDGER_USAGE_FLUSH_MS: flushMs,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  const kms = new KMSClient({ endpoint: url, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 });
  return { child, url, kms };
}

/** SIGKILL: no shutdown hook runs, nothing pending is flushed. */
async function kill(server: Server): Promise<void> {
  server.kms.destroy();
  const exited = once(server.child, 'exit');
  server.child.kill('SIGKILL');
  const [code, signal] = await exited;
  expect([code, signal]).toEqual([null, 'SIGKILL']);
}

async function ledgerGet(server: Server, path: string, query: Record<string, string> = {}) {
  const url = new URL(path, server.url);
  url.search = canonicalQuery(query);
  const headers = signRequest({ method: 'GET', url, headers: {}, body: '' }, ADMIN, 'us-east-1');
  const response = await fetch(url, { headers });
  expect(response.status).toBe(200);
  return response.json() as Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const usageCount = async (server: Server, keyId: string): Promise<number> =>
  (await ledgerGet(server, `/v1/keys/${keyId}/usage`)).totals.count as number;

/**
 * What the usage ledger guarantees across a crash: usage is appended every KEYLEDGER_USAGE_FLUSH_MS, and an
 * appended batch is durable (the store commits with synchronous=FULL before the flush resolves). A SIGKILL
 * therefore loses exactly the uses counted since the last flush, at most one flush interval of them, and
 * never a key operation, which is appended before it is acknowledged.
 */
describe('usage across a SIGKILL of the server', () => {
  let dataDir: string;
  let server: Server | undefined;
  let keyId: string;
  let ciphertext: Uint8Array;

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-usage-kill-'));
  }, 120_000);
  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) await kill(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses the uses not flushed yet, and no acknowledged key operation', async () => {
    server = await startServer(dataDir, NEVER_MS);
    keyId = (await server.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    ciphertext = (await server.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('kept') })))
      .CiphertextBlob!;
    await server.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    for (let i = 0; i < 4; i++)
      await server.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    await kill(server);

    server = await startServer(dataDir, NEVER_MS);
    // Every acknowledged key operation is there: the key, its rotation, the material of the first ciphertext.
    const state = await ledgerGet(server, `/v1/keys/${keyId}`);
    expect(state.keyMaterials).toHaveLength(2);
    const decrypted = await server.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('kept');
    // The five Encrypts were counted in memory only: lost with the process, all of them and nothing else.
    const { totals } = await ledgerGet(server, `/v1/keys/${keyId}/usage`);
    expect(totals).toEqual({ count: 0, refused: 0 });
    await kill(server);
  }, 120_000);

  it('keeps every use flushed before the kill, and the ledger verifies', async () => {
    server = await startServer(dataDir, '200');
    const before = await usageCount(server, keyId);
    let lastRequestId: string | undefined;
    for (let i = 0; i < 3; i++)
      lastRequestId = (await server.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('y') })))
        .$metadata.requestId;
    // Awaits the timer's flush as the ledger API shows it: each poll is a request, no sleep between them.
    const deadline = Date.now() + 60_000;
    let seen = before;
    while (seen < before + 3) {
      expect(Date.now(), 'the flush never became visible').toBeLessThan(deadline);
      seen = await usageCount(server, keyId);
    }
    expect(seen).toBe(before + 3);
    await kill(server);

    server = await startServer(dataDir, NEVER_MS);
    expect(await usageCount(server, keyId)).toBe(before + 3);
    const last = await server.kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
    expect(last.KeyLastUsage).toMatchObject({ Operation: 'Encrypt', KmsRequestId: lastRequestId });
    const verify = await ledgerGet(server, '/v1/audit/verify');
    expect(verify.ok, JSON.stringify(verify)).toBe(true);
    await kill(server);
  }, 120_000);
});
