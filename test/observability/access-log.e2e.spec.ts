import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, spawnServer, type ServerProcess } from './server-process.js';

const CREDENTIALS = { accessKeyId: 'AKIAACCESSLOGADMIN01', secretAccessKey: 'access-log-secret-0123456789abcdef' };
const WRONG_SECRET = { ...CREDENTIALS, secretAccessKey: 'not-the-secret-0123456789abcdef00' };
const UNKNOWN_KEY = { accessKeyId: 'AKIAUNKNOWNCALLER001', secretAccessKey: 'whatever-0123456789abcdef0123456' };
const CANARY = 'PLAINTEXT-CANARY-7f3a9c-never-in-a-log';

interface Line {
  time: string;
  level: string;
  context: string;
  msg: string;
  [field: string]: unknown;
}

describe('the access log on standard output (issue 17 point 3)', () => {
  let server: ServerProcess;
  let dataDir: string;
  let url: string;
  const material: string[] = [];
  let keyId: string;

  beforeAll(async () => {
    build();
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-access-log-'));
    server = spawnServer({
      KEYLEDGER_DATA_DIR: dataDir,
      KEYLEDGER_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      KEYLEDGER_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    });
    url = await server.listening;

    const kms = new KMSClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    keyId = (await kms.send(new CreateKeyCommand({ Description: 'access log' }))).KeyMetadata!.KeyId!;
    const plaintext = Buffer.from(CANARY);
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(64, 1) })).catch(() => undefined);
    material.push(
      CANARY,
      plaintext.toString('base64'),
      Buffer.from(decrypted.Plaintext!).toString('base64'),
      Buffer.from(encrypted.CiphertextBlob!).toString('base64'),
      Buffer.from(dataKey.Plaintext!).toString('base64'),
      Buffer.from(dataKey.CiphertextBlob!).toString('base64'),
      CREDENTIALS.secretAccessKey,
      WRONG_SECRET.secretAccessKey,
      UNKNOWN_KEY.secretAccessKey,
    );
    kms.destroy();

    // A flood of failed authentications: 25 with a wrong secret, 25 from an unknown access key id.
    for (const credentials of [WRONG_SECRET, UNKNOWN_KEY]) {
      const bad = new KMSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
      for (let i = 0; i < 25; i++) await bad.send(new ListKeysCommand({})).catch(() => undefined);
      bad.destroy();
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);

  afterAll(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lines = (): Line[] =>
    server
      .stdout()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);
  const accessLines = () => lines().filter((l) => l.context === 'access');

  it('every line on standard output is one JSON object with time, level, context and message; no colour codes', () => {
    expect(lines().length).toBeGreaterThan(5);
    for (const line of lines()) {
      expect(line).toMatchObject({
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        level: expect.stringMatching(/^(error|warn|info)$/),
        context: expect.any(String),
        msg: expect.any(String),
      });
    }
    expect(server.stdout() + server.stderr()).not.toContain('\u001b[');
  });

  it('one line per request, with request id, caller, operation, key id, status, error type and duration', () => {
    const encrypt = accessLines().find((l) => l.operation === 'Encrypt');
    expect(encrypt).toEqual({
      time: expect.any(String),
      level: 'info',
      context: 'access',
      msg: 'request',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source: '127.0.0.1',
      accessKeyId: CREDENTIALS.accessKeyId,
      principal: 'arn:aws:iam::111122223333:user/admin',
      api: 'kms',
      operation: 'Encrypt',
      keyId,
      status: 200,
      errorType: null,
      durationMs: expect.any(Number),
    });
    const failed = accessLines().find((l) => l.operation === 'Decrypt' && l.status === 400);
    expect(failed).toMatchObject({ errorType: 'InvalidCiphertextException', level: 'info' });
    const health = accessLines().find((l) => l.operation === 'GET /healthz');
    expect(health).toMatchObject({ api: 'service', status: 200, accessKeyId: null, requestId: null });
    expect(accessLines().filter((l) => l.operation === 'CreateKey')).toHaveLength(1);
  });

  it('never writes a secret, a plaintext, a data key or a ciphertext', () => {
    const everything = server.stdout() + server.stderr();
    for (const secret of material) expect(everything).not.toContain(secret);
  });

  it('authentication failures are warnings, one per access key id and source a minute, not one per request', () => {
    const warnings = accessLines().filter((l) => l.level === 'warn');
    expect(warnings.map((l) => [l.accessKeyId, l.errorType])).toEqual([
      [CREDENTIALS.accessKeyId, 'InvalidSignatureException'],
      [UNKNOWN_KEY.accessKeyId, 'UnrecognizedClientException'],
    ]);
  });

  it('says when it shuts down, and that it stopped', () => {
    const messages = lines().map((l) => l.msg);
    expect(messages).toContain('SIGTERM received: finishing requests in flight, then closing the store');
    expect(messages[messages.length - 1]).toBe('stopped');
  });
});

describe('start-up against a store that does not answer (issue 17 point 1)', () => {
  it('retries on one line each, then one line on stderr, exit 1, and the new data directory stays empty', async () => {
    build();
    const dataDir = mkdtempSync(join(tmpdir(), 'keyledger-no-store-'));
    try {
      const server = spawnServer({
        KEYLEDGER_DATA_DIR: dataDir,
        KEYLEDGER_EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false',
        KEYLEDGER_STARTUP_TIMEOUT_MS: '1500',
        KEYLEDGER_LOG_FORMAT: 'text',
      });
      expect(await server.exited).toBe(1);
      expect(server.stderr().trim().split('\n')).toEqual([
        expect.stringMatching(
          /^keyledger: cannot start: the event store at esdb:\/\/127\.0\.0\.1:1\?tls=false did not answer within 1500 ms \(KEYLEDGER_STARTUP_TIMEOUT_MS\) after \d+ attempts: /,
        ),
      ]);
      const retries = server.stdout().trim().split('\n');
      expect(retries.length).toBeGreaterThanOrEqual(1);
      for (const retry of retries)
        expect(retry).toMatch(/^\S+ WARN {2}\[EventStore\] the event store at .* not answering/);
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
