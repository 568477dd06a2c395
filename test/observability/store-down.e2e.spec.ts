import { CreateKeyCommand, EncryptCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import type { EventStoreDBClient } from '@eventstore/db-client';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyledgerServer, loadConfig } from '@keyledger/app';
import { EsdbEventStore } from '@keyledger/event-store';
import { ManualClock } from '@keyledger/ledger';
import { FakeEsdbClient } from '../../libs/event-store/src/contract/esdb-fake-client.js';
import { OperatorLog } from '../../apps/keyledger/src/observability/operator-log.js';
import { ADMIN } from '../support/keyledger-harness.js';

// EventStoreDB cannot run on these machines: the store is the adapter over the
// client double the event-store contract suite holds to the server's behaviour.

interface Started {
  app: NestFastifyApplication;
  url: string;
  kms: KMSClient;
}

/** Readiness is evaluated at most once a second of the server's clock: the test moves it past that. */
const clock = new ManualClock(Date.now());

function server(client: FakeEsdbClient, dataDir: string, env: Record<string, string>, lines: string[] = []) {
  const config = loadConfig({
    KEYLEDGER_DATA_DIR: dataDir,
    KEYLEDGER_EVENTSTORE_URL: 'esdb://admin:changeit@ledger-db.invalid:2113?tls=false',
    KEYLEDGER_ACCESS_KEY_ID: ADMIN.accessKeyId,
    KEYLEDGER_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    ...env,
  });
  const eventStore = new EsdbEventStore(client as unknown as EventStoreDBClient, {
    appendCredentials: { username: 'admin', password: 'changeit' },
    log: () => undefined,
  });
  const log = new OperatorLog('json', 'warn', { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return createKeyledgerServer({ config, eventStore, log, clock });
}

async function start(client: FakeEsdbClient, dataDir: string, env: Record<string, string>): Promise<Started> {
  const app = await server(client, dataDir, env);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url,
    kms: new KMSClient({ endpoint: url, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 }),
  };
}

describe('a store that is down says so (issue 17 point 1)', () => {
  const dirs: string[] = [];
  const running: Started[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyledger-store-down-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const s of running.splice(0)) {
      s.kms.destroy();
      await s.app.close();
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('a start on an unreachable store retries, one line each, then fails within KEYLEDGER_STARTUP_TIMEOUT_MS, writing no credentials', async () => {
    const client = new FakeEsdbClient();
    client.fault = 'refused';
    const dir = dataDir();
    const lines: string[] = [];
    const error = await server(client, dir, { KEYLEDGER_STARTUP_TIMEOUT_MS: '1000' }, lines).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^the event store at esdb:\/\/ledger-db\.invalid:2113\?tls=false did not answer within 1000 ms \(KEYLEDGER_STARTUP_TIMEOUT_MS\) after \d+ attempts: EventStoreUnavailableError: /,
    );
    // The credentials in the URL are never repeated.
    expect((error as Error).message).not.toContain('changeit');
    const retries = lines.map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(retries.length).toBeGreaterThanOrEqual(2);
    for (const retry of retries) {
      expect(retry.level).toBe('warn');
      expect(retry.msg).toMatch(
        /not answering \(attempt \d+\): EventStoreUnavailableError: .*; retrying for up to \d+ ms more$/,
      );
    }
    expect(existsSync(join(dir, 'admin-credentials.json'))).toBe(false);
    expect(readdirSync(dir)).not.toContain('admin-credentials.json');
  });

  it('while serving: /readyz 503 naming the store, writes get DependencyTimeoutException within the bound, reads keep serving; then ready again', async () => {
    const client = new FakeEsdbClient();
    const s = await start(client, dataDir(), { KEYLEDGER_STORE_TIMEOUT_MS: '300' });
    running.push(s);
    const keyId = (await s.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);

    client.fault = 'black-hole';
    const timedOut = await s.kms.send(new CreateKeyCommand({ Description: 'store gone' })).catch((e: unknown) => e);
    expect(timedOut).toMatchObject({
      name: 'DependencyTimeoutException',
      $metadata: { httpStatusCode: 503 },
      message: 'The system timed out while trying to fulfill the request. You can retry the request.',
    });
    // What the view answers by itself still answers; what must read the store is bounded too.
    expect((await s.kms.send(new ListKeysCommand({}))).Keys?.map((k) => k.KeyId)).toEqual([keyId]);
    const encrypt = await s.kms
      .send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }))
      .catch((e: unknown) => e);
    expect(encrypt).toMatchObject({ name: 'DependencyTimeoutException' });

    clock.advance(1_001);
    const notReady = await fetch(`${s.url}/readyz`);
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as { __type: string; checks: { store: { ok: boolean; reason: string } } };
    expect(body.__type).toBe('ServiceUnavailableException');
    expect(body.checks.store.ok).toBe(false);
    expect(body.checks.store.reason).toMatch(/^the event store is unreachable: EventStoreUnavailableError: /);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);

    client.fault = 'refused';
    const refused = await s.kms.send(new CreateKeyCommand({ Description: 'store refused' })).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'DependencyTimeoutException', $metadata: { httpStatusCode: 503 } });

    client.fault = undefined;
    await s.kms.send(new CreateKeyCommand({ Description: 'store back' }));
    await s.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    clock.advance(1_001);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
  });
});
