import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@keyledger/app';
import { ADMIN, startKeyledger, type Harness } from '../support/keyledger-harness.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('TLS, and plain HTTP refused off loopback (issue 19, point 6)', () => {
  let dir: string;
  let tlsEnv: Record<string, string>;
  let h: Harness;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    tlsEnv = { KEYLEDGER_TLS_CERT: cert, KEYLEDGER_TLS_KEY: key };
    h = await startKeyledger({ env: tlsEnv });
  }, 60_000);
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with KEYLEDGER_TLS_CERT and KEYLEDGER_TLS_KEY the server speaks HTTPS, and the SDK trusting the cert is served', async () => {
    expect(h.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const agent = new Agent({ ca: readFileSync(tlsEnv.KEYLEDGER_TLS_CERT!), keepAlive: true });
    const kms = new KMSClient({
      endpoint: h.url,
      region: 'us-east-1',
      credentials: ADMIN,
      maxAttempts: 1,
      systemClockOffset: h.clock.now().getTime() - Date.now(),
      requestHandler: new NodeHttpHandler({ httpsAgent: agent }),
    });
    expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
    kms.destroy();
    agent.destroy();
  });

  it('plain HTTP to the HTTPS port gets no answer in the clear', async () => {
    const res = await fetch(h.url.replace('https:', 'http:') + '/healthz').then(
      (r) => r.status,
      () => 'refused',
    );
    expect(res).not.toBe(200);
  });

  it('a client that does not trust the certificate is refused by TLS', async () => {
    const kms = new KMSClient({ endpoint: h.url, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 });
    await expect(kms.send(new ListKeysCommand({}))).rejects.toThrow(/certificate/i);
    kms.destroy();
  });

  it('loadConfig: a non-loopback HOST needs TLS or KEYLEDGER_ALLOW_PLAINTEXT_HTTP=1; loopback does not', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/HOST 0\.0\.0\.0 is not loopback/);
    expect(() => loadConfig({ HOST: '10.1.2.3', KEYLEDGER_ALLOW_PLAINTEXT_HTTP: '0' })).toThrow(/not loopback/);
    expect(() => loadConfig({ HOST: '::', KEYLEDGER_ALLOW_PLAINTEXT_HTTP: 'yes' })).toThrow(/must be 0 or 1/);
    expect(loadConfig({ HOST: '0.0.0.0', KEYLEDGER_ALLOW_PLAINTEXT_HTTP: '1' }).tls).toBeUndefined();
    expect(loadConfig({ HOST: '0.0.0.0', ...tlsEnv }).tls?.cert.length).toBeGreaterThan(0);
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1'])
      expect(loadConfig({ HOST: host }).host, host).toBe(host);
    expect(() => loadConfig({ KEYLEDGER_TLS_CERT: tlsEnv.KEYLEDGER_TLS_CERT! })).toThrow(/both/);
    expect(() =>
      loadConfig({ KEYLEDGER_TLS_CERT: join(dir, 'missing.pem'), KEYLEDGER_TLS_KEY: join(dir, 'missing.pem') }),
    ).toThrow(/KEYLEDGER_TLS_CERT .* cannot be read \(ENOENT\)/);
  });

  it('the built server refuses to start on 0.0.0.0 without TLS: one line, exit 1, nothing written', () => {
    execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    const dataDir = join(dir, 'never-made');
    const run = spawnSync(process.execPath, ['apps/keyledger/dist/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOST: '0.0.0.0', PORT: '0', KEYLEDGER_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/KEYLEDGER_ALLOW_PLAINTEXT_HTTP=1/);
    expect(existsSync(dataDir)).toBe(false);
  }, 120_000);
});
