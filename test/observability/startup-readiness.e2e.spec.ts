import { CreateKeyCommand, DescribeKeyCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type JsonObject } from '@keyledger/event-store';
import { integrityOf, keyStreamName, withIntegrity, withoutIntegrity } from '@keyledger/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, spawnServer, type ServerProcess } from './server-process.js';

const CREDENTIALS = { accessKeyId: 'AKIASTARTUPADMIN0001', secretAccessKey: 'startup-secret-0123456789abcdef' };
const ENV = {
  KEYLEDGER_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  KEYLEDGER_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
};
/** Enough history that replaying it takes a while here: the test awaits the 503 of that while, then the 200. */
const EXTRA_EVENTS = 100_000;
const BATCH = 5_000;

async function stop(server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

/** Grows a key's stream with description changes, chained as the server chains them, while no server runs. */
async function growHistory(dataDir: string, keyId: string, count: number): Promise<bigint> {
  const store = new SqliteEventStore(join(dataDir, 'ledger.db'));
  try {
    const streamName = keyStreamName(keyId);
    const [last] = await store.readStream(streamName, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
    let revision = last!.revision;
    let previousHash = integrityOf(last!.metadata)!.hash;
    const base = withoutIntegrity(last!.metadata);
    for (let written = 0; written < count; written += BATCH) {
      const expectedRevision = revision;
      const events = Array.from({ length: Math.min(BATCH, count - written) }, (_, i) => {
        revision++;
        const data = { description: `description ${written + i}` };
        const metadata = withIntegrity(
          {
            streamName,
            revision,
            type: 'KeyDescriptionUpdated',
            data,
            metadata: { ...base, requestId: randomUUID(), time: new Date().toISOString() },
          },
          previousHash,
        );
        previousHash = integrityOf(metadata)!.hash;
        return { type: 'KeyDescriptionUpdated', data: data as JsonObject, metadata: metadata as JsonObject };
      });
      await store.appendToStream(streamName, events, { expectedRevision });
    }
    const head = await store.headPosition();
    return head === 'start' ? 0n : head;
  } finally {
    await store.close();
  }
}

async function getJson(url: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(path, url));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a server listens before its ledger view has caught up, and is ready only once it has (issue 17)', () => {
  let dataDir: string;
  let keyId: string;
  let head: bigint;
  let server: ServerProcess;

  beforeAll(async () => {
    build();
    dataDir = mkdtempSync(join(tmpdir(), 'keyledger-startup-'));
    const first = spawnServer({ ...ENV, KEYLEDGER_DATA_DIR: dataDir });
    try {
      const kms = new KMSClient({ endpoint: await first.listening, region: 'us-east-1', credentials: CREDENTIALS });
      keyId = (await kms.send(new CreateKeyCommand({ Description: 'before' }))).KeyMetadata!.KeyId!;
    } finally {
      await stop(first);
    }
    head = await growHistory(dataDir, keyId, EXTRA_EVENTS);
    // No snapshot: the next start replays the whole log, as a first start on an imported ledger does.
    for (const name of readdirSync(dataDir)) if (name.includes('snapshot')) rmSync(join(dataDir, name));
    server = spawnServer({ ...ENV, KEYLEDGER_DATA_DIR: dataDir });
  }, 300_000);
  afterAll(async () => {
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /healthz 200, /readyz 503 "catching up" with its progress and the KMS API 503, then serves', async () => {
    const [, url] = await server.printed(/accepting connections on (http:\/\/[^\s"]+)/);
    const catchingUp = await getJson(url!, '/readyz');
    expect(catchingUp.status).toBe(503);
    expect(catchingUp.body).toMatchObject({ __type: 'ServiceUnavailableException', status: 'catching up' });
    const progress = catchingUp.body.progress as { position: number; head: number };
    expect(progress.head).toBe(Number(head));
    expect(progress.position).toBeLessThan(progress.head);
    expect(catchingUp.body.message).toMatch(/^not ready: the ledger view is catching up: \d+ of \d+ events replayed$/);
    expect((await getJson(url!, '/healthz')).status).toBe(200);

    const kms = new KMSClient({ endpoint: url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    const refused = await kms.send(new DescribeKeyCommand({ KeyId: keyId })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KMSServiceException);
    expect((refused as KMSServiceException).name).toBe('DependencyTimeoutException');
    expect((refused as KMSServiceException).$metadata.httpStatusCode).toBe(503);

    expect(await server.listening).toBe(url);
    const ready = await getJson(url!, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata!.Description).toBe(`description ${EXTRA_EVENTS - 1}`);
    // The gate's answers are in the order the start made them: "accepting" before "listening on".
    expect(server.stdout().indexOf('accepting connections')).toBeLessThan(server.stdout().indexOf('listening on'));
    // It listened before Fastify was ready, so Fastify would not close it: the server closes it, and stops.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toMatch(/stopped/);
  }, 300_000);
});

describe('a port already in use (issue 17)', () => {
  let holder: Server;
  let dataDir: string;
  beforeAll(async () => {
    build();
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    dataDir = join(mkdtempSync(join(tmpdir(), 'keyledger-port-')), 'data');
  }, 120_000);
  afterAll(() => {
    holder.close();
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('is one line on standard error and a non-zero exit, before anything says started, with nothing written', async () => {
    const port = (holder.address() as AddressInfo).port;
    const server = spawnServer({ ...ENV, KEYLEDGER_DATA_DIR: dataDir, PORT: String(port) });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toBe(
      `keyledger: cannot start: 127.0.0.1:${port} is already in use by another process: ` +
        'stop it, or set PORT (or HOST) to a free one\n',
    );
    expect(server.stdout()).not.toMatch(/started|listening|accepting/i);
    expect(() => readdirSync(dataDir)).toThrow(/ENOENT/);
  }, 120_000);
});
