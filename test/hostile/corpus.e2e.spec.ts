import { CreateKeyCommand, EncryptCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256 } from '../support/sha256.js';
import { ADMIN, startKeyledger, type Harness } from '../support/keyledger-harness.js';
import { hostileCorpus, type CorpusContext, type HostileRequest, type Principal } from './corpus.js';

const KEY_USER = { accessKeyId: 'AKIAKEYLEDGERUSER001', secretAccessKey: 'corpus-user-secret-0123456789abcdef' };
const AUDITOR = { accessKeyId: 'AKIAKEYLEDGERAUDIT01', secretAccessKey: 'corpus-audit-secret-0123456789abcde' };
const CREDENTIALS: Record<Principal, { accessKeyId: string; secretAccessKey: string }> = {
  admin: ADMIN,
  keyUser: KEY_USER,
  auditor: AUDITOR,
};

/** Replays the hostile corpus against a started server: no 5xx, every due refusal, and the server fine after. */
describe('the hostile-input corpus (issue 11)', () => {
  let h: Harness;
  let dir: string;
  let ctx: CorpusContext;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyledger-corpus-'));
    const principals = join(dir, 'principals.json');
    writeFileSync(
      principals,
      JSON.stringify({
        principals: [
          { name: 'app', role: 'key-user', ...KEY_USER },
          { name: 'audit', role: 'auditor', ...AUDITOR },
        ],
      }),
      { mode: 0o600 },
    );
    h = await startKeyledger({ env: { KEYLEDGER_PRINCIPALS_FILE: principals } });
    const key = (await h.kms.send(new CreateKeyCommand({ Description: 'corpus' }))).KeyMetadata!;
    const sealed = await h.kms.send(
      new EncryptCommand({
        KeyId: key.KeyId,
        Plaintext: Buffer.from('corpus secret'),
        EncryptionContext: { purpose: 'corpus' },
      }),
    );
    ctx = { keyId: key.KeyId!, keyArn: key.Arn!, ciphertext: Buffer.from(sealed.CiphertextBlob!) };
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function replay(request: HostileRequest): Promise<{ status: number; type: string | undefined }> {
    const url = new URL(h.url);
    const credentials = CREDENTIALS[request.as ?? 'admin'];
    const m = request.mutate;
    const signer = new SignatureV4({
      service: m === 'wrong-service' ? 'dynamodb' : 'kms',
      region: m === 'wrong-region' ? 'eu-west-1' : 'us-east-1',
      credentials:
        m === 'unknown-key'
          ? { accessKeyId: 'AKIAUNKNOWNUNKNOWN01', secretAccessKey: 'x'.repeat(40) }
          : m === 'session-token'
            ? { ...credentials, sessionToken: 'FwoGZXIvYXdzEXAMPLE' }
            : credentials,
      sha256: Sha256,
      applyChecksum: false,
    });
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-amz-json-1.1' };
    if (request.target !== undefined) headers['x-amz-target'] = request.target;
    if (m === 'unsigned-payload') headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const now = h.clock.now();
    const signingDate =
      m === 'stale-date'
        ? new Date(now.getTime() - 20 * 60_000)
        : m === 'future-date'
          ? new Date(now.getTime() + 20 * 60_000)
          : now;
    let sent: Record<string, string> = headers;
    if (m !== 'unsigned') {
      const signed = await signer.sign(
        {
          method: 'POST',
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: '/',
          query: {},
          headers,
          body: request.body,
        },
        { signingDate },
      );
      sent = { ...(signed.headers as Record<string, string>) };
    }
    if (m === 'bad-signature')
      sent.authorization = sent.authorization!.replace(
        /Signature=(.)/,
        (_s, c: string) => `Signature=${c === 'a' ? 'b' : 'a'}`,
      );
    if (m === 'target-swapped') sent['x-amz-target'] = 'TrentService.CreateKey';
    const body = m === 'body-swapped' ? '{"Limit":1}' : request.body;
    const res = await fetch(h.url, { method: 'POST', headers: sent, body });
    const text = await res.text();
    let type: string | undefined;
    try {
      type = (JSON.parse(text) as { __type?: string }).__type;
    } catch {
      type = undefined;
    }
    return { status: res.status, type };
  }

  it('never answers 5xx, refuses every request that is due a refusal, serves the controls', async () => {
    const corpus = hostileCorpus(ctx);
    expect(corpus.length).toBeGreaterThan(150);
    const wrong: string[] = [];
    for (const request of corpus) {
      const { status, type } = await replay(request);
      const fine =
        request.expect === 'ok' ? status >= 200 && status < 300 : status >= 400 && status < 500 && type !== undefined;
      if (!fine) wrong.push(`${request.name}: ${status} ${type ?? '(no __type)'}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('afterwards the server answers a signed request, and the ledger verifies', async () => {
    expect((await h.kms.send(new ListKeysCommand({}))).Keys!.length).toBeGreaterThan(0);
    const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: ADMIN, sha256: Sha256 });
    const url = new URL(h.url);
    const signed = await signer.sign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/v1/audit/verify',
        query: {},
        headers: { host: url.host },
      },
      { signingDate: h.clock.now() },
    );
    const res = await fetch(`${h.url}/v1/audit/verify`, { headers: signed.headers as Record<string, string> });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});
