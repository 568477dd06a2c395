import { CreateGrantCommand, CreateKeyCommand, EncryptCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_REVIEW_COLUMNS } from '../apps/keyledger/src/authorization/access-as-of.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';
import { ledgerApi } from './support/ledger-api-request.js';
import { writePrincipalsFile, type PrincipalsFile } from './support/principals-file.js';

const APP = { accessKeyId: 'AKIAACCESSAPPUSER001', secretAccessKey: 'access-app-secret-0123456789abcdef' };
const AUDIT = { accessKeyId: 'AKIAACCESSAUDITOR001', secretAccessKey: 'access-audit-secret-0123456789abc' };
const NEWBIE = { accessKeyId: 'AKIAACCESSNEWBIE0001', secretAccessKey: 'access-newbie-secret-0123456789ab' };
const ACCOUNT = '111122223333';
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const HOUR = 3_600_000;

let h: Harness;
let stopped = false;
let principals: PrincipalsFile;

const directory = (extra: object[] = []) => [
  { name: 'app', role: 'key-user', ...APP },
  { name: 'audit', role: 'auditor', ...AUDIT },
  ...extra,
];

const api = (method: 'GET' | 'POST', path: string, query: Record<string, string> = {}, body?: unknown) =>
  ledgerApi(h, method, path, { query, body });

interface OperationAccess {
  action: string;
  decision: string;
  allowedBy: Array<Array<{ kind: string; sid?: string | null; grantId?: string }>>;
}
interface PrincipalAccess {
  name: string;
  principalArn: string;
  operations: OperationAccess[];
}

const times: Record<'created' | 'policy' | 'grant' | 'directory', string> = {
  created: '',
  policy: '',
  grant: '',
  directory: '',
};
let keyId = '';
let keyArn = '';
let grantId = '';
let ciphertext = '';

/** Who could call `action` on the key at a time, by principal name, and what allowed each. */
async function whoCould(asOf: string, action = 'kms:Decrypt') {
  const res = await api('GET', `/v1/keys/${keyId}/access`, { asOf });
  expect(res.status).toBe(200);
  const body = res.json as { policy: string; grants: Array<{ grantId: string }>; principals: PrincipalAccess[] };
  const could: Record<string, string[]> = {};
  for (const p of body.principals) {
    const op = p.operations.find((o) => o.action === action);
    if (op !== undefined) could[p.name] = op.allowedBy.map((way) => way.map((r) => r.sid ?? r.grantId).join('+'));
  }
  return { body, could };
}

describe('who could use a key, as of any time (issue 12, point 6)', () => {
  beforeAll(async () => {
    principals = writePrincipalsFile(directory());
    h = await startKeyledger({ env: { KEYLEDGER_PRINCIPALS_FILE: principals.path } });

    h.clock.advance(HOUR);
    const key = (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    keyId = key.KeyId!;
    keyArn = key.Arn!;
    ciphertext = Buffer.from(
      (await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }))).CiphertextBlob!,
    ).toString('base64');
    times.created = new Date(h.clock.now().getTime() + 1000).toISOString();

    h.clock.advance(HOUR);
    const onlyApp = {
      Statement: [
        { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: arn('admin') }, Action: 'kms:*', Resource: '*' },
        { Sid: 'AppDecrypts', Effect: 'Allow', Principal: { AWS: arn('app') }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    };
    await h.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: JSON.stringify(onlyApp) }));
    times.policy = new Date(h.clock.now().getTime() + 1000).toISOString();

    h.clock.advance(HOUR);
    grantId = (
      await h.kms.send(
        new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: arn('audit'), Operations: ['Decrypt'] }),
      )
    ).GrantId!;
    times.grant = new Date(h.clock.now().getTime() + 1000).toISOString();

    // A changed principals file is recorded at the next start.
    h.clock.advance(HOUR);
    await h.stop();
    principals.rewrite(directory([{ name: 'newbie', role: 'key-user', ...NEWBIE }]));
    h = await startKeyledger({
      dataDir: h.dataDir,
      clock: h.clock,
      env: { KEYLEDGER_PRINCIPALS_FILE: principals.path },
    });
    times.directory = new Date(h.clock.now().getTime() + 1000).toISOString();
  });
  afterAll(async () => {
    if (stopped) rmSync(h.dataDir, { recursive: true, force: true });
    else await h.close();
    principals?.remove();
  });

  it('before and after a PutKeyPolicy, a grant and a principal-directory change', async () => {
    const created = await whoCould(times.created);
    expect(created.body.policy).toContain('"Id" : "key-default-1"');
    // The default policy delegates to IAM: the admin and the key-user decrypt through their identity policies.
    expect(created.could).toEqual({
      admin: ['Enable IAM User Permissions+KeyledgerAdmin'],
      app: ['Enable IAM User Permissions+KeyledgerKeyUser'],
    });

    const policy = await whoCould(times.policy);
    expect(policy.could).toEqual({ admin: ['Admin'], app: ['AppDecrypts'] });

    const granted = await whoCould(times.grant);
    expect(granted.body.grants.map((g) => g.grantId)).toEqual([grantId]);
    expect(granted.could).toEqual({ admin: ['Admin'], app: ['AppDecrypts'], audit: [grantId] });
    expect(granted.body.principals.map((p) => p.name).sort()).toEqual(['admin', 'app', 'audit']);

    const directory = await whoCould(times.directory);
    expect(directory.body.principals.map((p) => p.name).sort()).toEqual(['admin', 'app', 'audit', 'newbie']);
    // newbie is a key-user, but this key's policy no longer delegates to identity policies.
    expect(directory.could.newbie).toBeUndefined();
  });

  it('simulate at three times: implicit deny, still denied under the new policy, allowed by the grant', async () => {
    const simulate = async (asOf: string, principal = 'audit') =>
      (await api('POST', '/v1/access/simulate', {}, { principal, action: 'Decrypt', keyId: keyArn, asOf })).json;
    expect(await simulate(times.created)).toMatchObject({
      decision: 'IMPLICIT_DENY',
      principalArn: arn('audit'),
      policyType: 'identity-based',
    });
    expect(await simulate(times.policy)).toMatchObject({ decision: 'IMPLICIT_DENY', policyType: 'resource-based' });
    expect(await simulate(times.grant)).toMatchObject({ decision: 'ALLOWED', allowingGrants: [grantId] });
    expect(await simulate(times.policy, 'app')).toMatchObject({
      decision: 'ALLOWED',
      allowingStatements: [expect.objectContaining({ sid: 'AppDecrypts', policy: 'key', via: 'direct' })],
    });
    const bad = await api('POST', '/v1/access/simulate', {}, { principal: 'audit', action: 'Decrypt' });
    expect([bad.status, bad.json.__type]).toEqual([400, 'ValidationException']);
  });

  it('the access review as CSV: every principal × key × operation, with what allows it', async () => {
    const res = await api('GET', '/v1/reports/access-review', { asOf: times.grant, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    const lines = res.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe(ACCESS_REVIEW_COLUMNS.join(','));
    expect(lines).toContain(`audit,${arn('audit')},${keyArn},kms:Decrypt,ALLOWED,grant:${grantId}`);
    expect(lines).toContain(`app,${arn('app')},${keyArn},kms:Decrypt,ALLOWED,key:AppDecrypts`);
    expect(lines.filter((l) => l.startsWith('app,') && l.includes(keyArn)).map((l) => l.split(',')[3])).toEqual([
      'kms:Decrypt',
    ]);
    const json = (await api('GET', '/v1/reports/access-review', { asOf: times.created })).json;
    expect(json.rows).toContainEqual(
      expect.objectContaining({ principal: 'app', keyArn, operation: 'kms:Encrypt', decision: 'ALLOWED' }),
    );
  });

  it('decryptability for a principal: NOT_AUTHORIZED while the key could decrypt but the principal could not', async () => {
    const ask = async (asOf: string, principal?: string) =>
      (await api('POST', '/v1/decryptability', {}, { ciphertextBlob: ciphertext, asOf, principal })).json;
    expect(await ask(times.policy)).toMatchObject({ decryptable: true, reason: 'DECRYPTABLE' });
    expect(await ask(times.policy, 'audit')).toMatchObject({
      decryptable: false,
      reason: 'NOT_AUTHORIZED',
      principal: 'audit',
      authorization: { decision: 'IMPLICIT_DENY' },
    });
    expect(await ask(times.grant, 'audit')).toMatchObject({ decryptable: true, reason: 'DECRYPTABLE' });
    expect(await ask(times.created, arn('app'))).toMatchObject({ decryptable: true });
  });

  it('the OpenAPI document describes the access routes and the decryptability principal', async () => {
    const doc = (await (await fetch(`${h.url}/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/keys/{keyId}/access', '/v1/access/simulate', '/v1/reports/access-review']),
    );
    expect(doc.components.schemas.Decryptability.properties.reason.enum).toContain('NOT_AUTHORIZED');
  });

  it('the CLI gives the same answers from the ledger files (access, simulate, report access-review)', async () => {
    await h.stop();
    stopped = true;
    const bin = resolve(import.meta.dirname, '..', 'apps/keyledger/bin/keyledger.js');
    const cli = (...args: string[]) => {
      const run = spawnSync(process.execPath, [bin, ...args, '--data-dir', h.dataDir], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      return run.stdout;
    };
    const access = JSON.parse(cli('access', keyArn, '--as-of', times.grant)) as { principals: PrincipalAccess[] };
    const audit = access.principals.find((p) => p.name === 'audit')!;
    expect(audit.operations.map((o) => o.action)).toEqual(['kms:Decrypt']);
    const simulated = JSON.parse(
      cli('simulate', '--principal', 'audit', '--action', 'kms:Decrypt', '--key-id', keyId, '--as-of', times.policy),
    );
    expect(simulated).toMatchObject({ decision: 'IMPLICIT_DENY', principalArn: arn('audit') });
    const csv = cli('report', 'access-review', '--as-of', times.grant, '--format', 'csv');
    expect(csv.split(/\r?\n/)).toContain(`audit,${arn('audit')},${keyArn},kms:Decrypt,ALLOWED,grant:${grantId}`);
  });
});
