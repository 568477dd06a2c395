import 'reflect-metadata';
import { CreateKeyCommand, KMSClient, type KeyMetadata } from '@aws-sdk/client-kms';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyledgerServer, loadConfig, Scheduler, type KeyledgerConfig } from '@keyledger/app';
import { ManualClock } from '@keyledger/ledger';
import type { OperatorLog } from '../../apps/keyledger/src/observability/operator-log.js';

export const ADMIN = { accessKeyId: 'AKIAKEYLEDGERADMIN01', secretAccessKey: 'test-admin-secret-0123456789abcdef' };

export interface Harness {
  app: NestFastifyApplication;
  url: string;
  dataDir: string;
  config: KeyledgerConfig;
  clock: ManualClock;
  kms: KMSClient;
  /** A symmetric key made by the admin (CreateKey with only a description), its KeyMetadata. */
  createKey(description?: string): Promise<KeyMetadata>;
  client(credentials: { accessKeyId: string; secretAccessKey: string }, region?: string): KMSClient;
  /** Stops the server, keeping the data directory. */
  stop(): Promise<void>;
  /** Stops the server and removes the data directory. */
  close(): Promise<void>;
  scheduler(): Scheduler;
}

export interface HarnessOptions {
  dataDir?: string;
  clock?: ManualClock;
  env?: Record<string, string>;
  /** Where the server's lines go (the Nest logger and the access log); default: errors only, to the console. */
  log?: OperatorLog;
  /** The loopback address to listen on; default 127.0.0.1. */
  host?: '127.0.0.1' | '::1';
}

/** A real server on a loopback port over a fresh data directory, with a clock the test moves. */
export async function startKeyledger(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'keyledger-e2e-'));
  const clock = options.clock ?? new ManualClock(Date.now());
  const config = loadConfig({
    KEYLEDGER_DATA_DIR: dataDir,
    KEYLEDGER_ACCESS_KEY_ID: ADMIN.accessKeyId,
    KEYLEDGER_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    // As the Nest logger below: a test's output is its own; tests of the log set their level.
    KEYLEDGER_LOG_LEVEL: 'error',
    ...options.env,
  });
  const app = await createKeyledgerServer({
    config,
    clock,
    ...(options.log ? { logger: options.log, log: options.log } : { logger: ['error'] }),
  });
  await app.listen(0, options.host ?? '127.0.0.1');
  const url = await app.getUrl();
  const clients: KMSClient[] = [];
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1') => {
    const c = new KMSClient({
      endpoint: url,
      region,
      credentials,
      maxAttempts: 1,
      // The SDK signs with the machine's time; the server checks against the test's clock.
      systemClockOffset: clock.now().getTime() - Date.now(),
    });
    clients.push(c);
    return c;
  };
  // The signing offset is fixed per client, so a client is made per position of the test clock.
  let adminClient: { offset: number; client: KMSClient } | undefined;
  const admin = () => {
    const offset = clock.now().getTime() - Date.now();
    if (!adminClient || Math.abs(adminClient.offset - offset) > 60_000) adminClient = { offset, client: client(ADMIN) };
    return adminClient.client;
  };
  const stop = async () => {
    for (const c of clients) c.destroy();
    await app.close();
  };
  return {
    app,
    url,
    dataDir,
    config,
    clock,
    get kms() {
      return admin();
    },
    client,
    createKey: async (description = 'test key') =>
      (await admin().send(new CreateKeyCommand({ Description: description }))).KeyMetadata!,
    stop,
    close: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    scheduler: () => app.get(Scheduler),
  };
}
