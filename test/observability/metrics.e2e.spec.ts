import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
} from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorLog } from '../../apps/keyledger/src/observability/operator-log.js';
import { ADMIN, startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { Sha256 } from '../support/sha256.js';
import type { Socket } from 'node:net';
import { keepAliveGet, open, parseAnswer, untilClosed, type RawAnswer } from '../hostile/raw-http.js';

const AUDITOR = { accessKeyId: 'AKIAMETRICSAUDITOR01', secretAccessKey: 'auditor-secret-0123456789abcdef' };
const KEY_USER = { accessKeyId: 'AKIAMETRICSKEYUSER01', secretAccessKey: 'keyuser-secret-0123456789abcdef' };
type Credentials = typeof ADMIN;

async function scrape(h: Harness, as: Credentials | null): Promise<{ status: number; type: string; text: string }> {
  const url = new URL(h.url);
  let headers: Record<string, string> = { host: url.host };
  if (as) {
    const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: as, sha256: Sha256 });
    const request = {
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/metrics',
    };
    headers = (await signer.sign({ ...request, headers }, { signingDate: h.clock.now() })).headers as Record<
      string,
      string
    >;
  }
  const res = await fetch(`${h.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** The value of one series in a Prometheus text exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics in the Prometheus text format (issue 17 point 3)', () => {
  let h: Harness;
  let principalsDir: string;
  beforeAll(async () => {
    principalsDir = mkdtempSync(join(tmpdir(), 'keyledger-metrics-principals-'));
    const file = join(principalsDir, 'principals.json');
    writeFileSync(
      file,
      JSON.stringify({
        principals: [
          { name: 'metrics-auditor', ...AUDITOR, role: 'auditor' },
          { name: 'metrics-key-user', ...KEY_USER, role: 'key-user' },
        ],
      }),
    );
    h = await startKeyledger({
      env: { KEYLEDGER_PRINCIPALS_FILE: file, KEYLEDGER_MAX_CONNECTIONS_PER_ADDRESS: '4' },
    });
  });
  afterAll(async () => {
    await h.close();
    rmSync(principalsDir, { recursive: true, force: true });
  });

  it('counts requests by operation and outcome, times them and the store appends, and names no key or caller', async () => {
    const keyId = (await h.kms.send(new CreateKeyCommand({ Description: 'metrics' }))).KeyMetadata!.KeyId!;
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/metrics-secret-name', TargetKeyId: keyId }));
    await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('metric plaintext') }));
    await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('metric plaintext') }));
    await h.kms.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(64, 7) })).catch(() => undefined);

    const { status, type, text } = await scrape(h, ADMIN);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const kms = (operation: string, statusClass: string, errorType = '') =>
      sample(
        text,
        `keyledger_requests_total{api="kms",operation="${operation}",status_class="${statusClass}",error_type="${errorType}"}`,
      );
    expect(kms('CreateKey', '2xx')).toBe(1);
    expect(kms('Encrypt', '2xx')).toBe(2);
    expect(kms('Decrypt', '4xx', 'InvalidCiphertextException')).toBe(1);
    expect(
      sample(text, 'keyledger_request_duration_seconds_count{api="kms",operation="Encrypt",status_class="2xx"}'),
    ).toBe(2);
    expect(sample(text, 'keyledger_store_append_duration_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'keyledger_events_appended_total')).toBeGreaterThanOrEqual(2);
    // The genesis checkpoint was written at start.
    expect(sample(text, 'keyledger_checkpoint_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'keyledger_checkpoint_refusals')).toBe(0);
    expect(sample(text, 'keyledger_connections_open')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('process_cpu_user_seconds_total');

    // Bounded cardinality: no key id, alias, principal, access key id or plaintext is a label value.
    for (const secretish of [keyId, 'metrics-secret-name', 'admin', ADMIN.accessKeyId, 'metric plaintext', '127.0.0.1'])
      expect(text).not.toContain(secretish);
  });

  it('the ledger API is labelled by route pattern, not by path', async () => {
    const keyId = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const url = new URL(h.url);
    const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: ADMIN, sha256: Sha256 });
    const path = `/v1/keys/${keyId}/events`;
    const signed = await signer.sign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path,
        headers: { host: url.host },
      },
      { signingDate: h.clock.now() },
    );
    expect((await fetch(`${h.url}${path}`, { headers: signed.headers as Record<string, string> })).status).toBe(200);
    const { text } = await scrape(h, ADMIN);
    expect(
      sample(
        text,
        'keyledger_requests_total{api="ledger",operation="GET /v1/keys/:keyId/events",status_class="2xx",error_type=""}',
      ),
    ).toBe(1);
    expect(text).not.toContain(keyId);
  });

  it('is signed like the ledger API: unsigned 401, a key user 403, an auditor reads it', async () => {
    const unsigned = await scrape(h, null);
    expect(unsigned.status).toBe(401);
    expect(JSON.parse(unsigned.text)).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    const keyUser = await scrape(h, KEY_USER);
    expect(keyUser.status).toBe(403);
    expect(JSON.parse(keyUser.text)).toMatchObject({ __type: 'AccessDeniedException' });
    expect((await scrape(h, AUDITOR)).status).toBe(200);
  });

  it('counts connections refused at the per-source limit', async () => {
    const port = Number(new URL(h.url).port);
    const before = sample((await scrape(h, ADMIN)).text, 'keyledger_connections_refused_total{reason="per_source"}');
    // Connections are admitted until the source's limit (the test's own HTTP clients hold some of it).
    const held: Socket[] = [];
    let refusal: RawAnswer | undefined;
    while (!refusal) {
      const socket = await open(port);
      const answer = await keepAliveGet(socket, '/healthz').catch(() => undefined);
      if (answer?.status === 200) held.push(socket);
      else refusal = answer ?? parseAnswer(await untilClosed(socket));
    }
    expect(refusal.status).toBe(429);
    for (const socket of held) socket.destroy();
    await Promise.all(held.map((s) => (s.closed ? undefined : new Promise((r) => s.once('close', r)))));
    const after = sample((await scrape(h, ADMIN)).text, 'keyledger_connections_refused_total{reason="per_source"}');
    expect(after).toBe((before ?? 0) + 1);
  });
});

describe('the scheduler', () => {
  it('counts its runs and actions, and names the keys it acted on', async () => {
    const lines: string[] = [];
    const log = new OperatorLog('json', 'info', { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    const h = await startKeyledger({ log, env: { KEYLEDGER_METRICS_PUBLIC: '1' } });
    try {
      const keyId = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await h.kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
      h.clock.advance(91 * 86_400_000);
      expect(await h.scheduler().sweep()).toMatchObject({ rotated: 1 });
      const { text } = await scrape(h, null);
      expect(sample(text, 'keyledger_scheduler_actions_total{action="rotated"}')).toBe(1);
      expect(sample(text, 'keyledger_scheduler_runs_total')).toBeGreaterThanOrEqual(2);
      const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
      expect(messages).toContain(`rotated 1 keys: ${keyId}`);
    } finally {
      await h.close();
    }
  });
});

describe('KEYLEDGER_METRICS_PUBLIC=1', () => {
  it('answers an unsigned scrape', async () => {
    const h = await startKeyledger({ env: { KEYLEDGER_METRICS_PUBLIC: '1' } });
    try {
      const res = await scrape(h, null);
      expect(res.status).toBe(200);
      expect(res.text).toContain('# TYPE keyledger_requests_total counter');
    } finally {
      await h.close();
    }
  });
});
