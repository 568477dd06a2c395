import {
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCiphertext } from '@keyledger/crypto';
import { UsageRecorder } from '@keyledger/app';
import { UNUSED_KEYS_COLUMNS, USAGE_COLUMNS } from '../apps/keyledger/src/usage/usage-openapi.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';
import { ledgerGet } from './support/ledger-api-request.js';
import { writePrincipalsFile, type PrincipalsFile } from './support/principals-file.js';

const APP = { accessKeyId: 'AKIAUSAGEAPP00000001', secretAccessKey: 'usage-app-secret-0123456789abcdef' };
const AUDITOR = { accessKeyId: 'AKIAUSAGEAUDITOR0001', secretAccessKey: 'usage-auditor-secret-0123456789ab' };
const APP_ARN = 'arn:aws:iam::111122223333:user/app';

let h: Harness;
let principalsFile: PrincipalsFile;
let keyId: string;
let oldMaterial: string;
let newMaterial: string;
let adminArn: string;

const get = (path: string, query?: Record<string, string>, as?: typeof APP) => ledgerGet(h, path, query, as);
const flush = () => h.app.get(UsageRecorder).flush();
const encrypt = async (client: typeof h.kms, id: string) =>
  Buffer.from((await client.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') }))).CiphertextBlob!);
const createKey = async () => (await h.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;

beforeAll(async () => {
  principalsFile = writePrincipalsFile([
    { name: 'app', role: 'key-user', ...APP },
    { name: 'usage-auditor', role: 'auditor', ...AUDITOR },
  ]);
  // Flushed when the test says: the ledger then holds exactly what the test did.
  h = await startKeyledger({ env: { KEYLEDGER_PRINCIPALS_FILE: principalsFile.path, KEYLEDGER_USAGE_FLUSH_MS: '0' } });
  const app = h.client(APP);
  keyId = await createKey();
  const first = await encrypt(app, keyId);
  await encrypt(app, keyId);
  await encrypt(h.kms, keyId);
  oldMaterial = parseCiphertext(first).keyMaterialId;
  await h.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
  h.clock.advance(60_000);
  newMaterial = parseCiphertext(await encrypt(app, keyId)).keyMaterialId;
  await app.send(new DecryptCommand({ CiphertextBlob: first }));
  // The auditor may read the ledger but not use keys: a refused attempt by an authenticated principal.
  await expect(encrypt(h.client(AUDITOR), keyId)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  await flush();
  const principals = (await get(`/v1/keys/${keyId}/usage`, { groupBy: 'principal' })).json.groups.map(
    (g: { principal: string }) => g.principal,
  );
  adminArn = principals.find((p: string) => p !== APP_ARN && !p.endsWith('/usage-auditor'));
});
afterAll(async () => {
  await h.close();
  principalsFile?.remove();
});

describe('GET /v1/keys/{keyId}/usage', () => {
  it('counts exactly what each principal did, per operation and backing key, old and new apart', async () => {
    const answer = await get(`/v1/keys/${keyId}/usage`);
    expect(answer.status, answer.text).toBe(200);
    const rows = answer.json.groups.map((g: Record<string, unknown>) => [
      g.principal,
      g.operation,
      g.keyMaterialId,
      g.count,
      g.refused,
    ]);
    expect(rows).toEqual(
      [
        [adminArn, 'Encrypt', oldMaterial, 1, 0],
        [APP_ARN, 'Decrypt', oldMaterial, 1, 0],
        [APP_ARN, 'Encrypt', oldMaterial, 2, 0],
        [APP_ARN, 'Encrypt', newMaterial, 1, 0],
        ['arn:aws:iam::111122223333:user/usage-auditor', 'Encrypt', null, 0, 1],
      ].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    );
    expect(answer.json.totals).toEqual({ count: 5, refused: 1 });
    expect(answer.json.groupBy).toEqual(['principal', 'operation', 'keyMaterialId']);
  });

  it('names the refusal reason, and a refused-only group has no last use', async () => {
    const { json } = await get(`/v1/keys/${keyId}/usage`, { groupBy: 'principal' });
    const auditor = json.groups.find((g: { principal: string }) => g.principal.endsWith('/usage-auditor'));
    expect(auditor).toMatchObject({ count: 0, refused: 1, refusals: { AccessDeniedException: 1 }, lastUsedAt: null });
    const app = json.groups.find((g: { principal: string }) => g.principal === APP_ARN);
    expect(app).toMatchObject({ count: 4, refused: 0, refusals: {} });
    expect(app.lastUsedAt).toBe(app.lastAt);
    expect(app).not.toHaveProperty('operation');
  });

  it('groups by operation, by backing key and by day', async () => {
    const byOperation = (await get(`/v1/keys/${keyId}/usage`, { groupBy: 'operation' })).json.groups;
    expect(byOperation.map((g: { operation: string; count: number }) => [g.operation, g.count])).toEqual([
      ['Decrypt', 1],
      ['Encrypt', 4],
    ]);
    const byMaterial = (await get(`/v1/keys/${keyId}/usage`, { groupBy: 'keyMaterialId' })).json.groups;
    const counts = Object.fromEntries(
      byMaterial.map((g: { keyMaterialId: string | null; count: number }) => [g.keyMaterialId ?? 'none', g.count]),
    );
    expect(counts).toEqual({ [oldMaterial]: 4, [newMaterial]: 1, none: 0 });
    const byDay = (await get(`/v1/keys/${keyId}/usage`, { groupBy: 'day' })).json.groups;
    expect(byDay.map((g: { day: string }) => g.day)).toEqual(
      [
        ...new Set([
          h.clock.now().toISOString().slice(0, 10),
          new Date(h.clock.now().getTime() - 60_000).toISOString().slice(0, 10),
        ]),
      ].sort(),
    );
  });

  it('counts only the uses within from..to', async () => {
    const now = h.clock.now();
    const later = await get(`/v1/keys/${keyId}/usage`, { from: new Date(now.getTime() - 30_000).toISOString() });
    // Only the minute after the rotation: the new backing key's Encrypt and the Decrypt and refusal.
    expect(later.json.totals).toEqual({ count: 2, refused: 1 });
    const before = await get(`/v1/keys/${keyId}/usage`, { to: new Date(now.getTime() - 30_000).toISOString() });
    expect(before.json.totals).toEqual({ count: 3, refused: 0 });
    const none = await get(`/v1/keys/${keyId}/usage`, {
      from: new Date(now.getTime() + 1000).toISOString(),
      to: new Date(now.getTime() + 2000).toISOString(),
    });
    expect(none.json.totals).toEqual({ count: 0, refused: 0 });
  });

  it('answers CSV with the documented columns', async () => {
    const answer = await get(`/v1/keys/${keyId}/usage`, { format: 'csv', groupBy: 'principal,operation' });
    expect(answer.type).toMatch(/^text\/csv/);
    const lines = answer.text.trim().split('\r\n');
    expect(lines[0]).toBe(USAGE_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 4);
    expect(lines.some((l) => l.startsWith(`${APP_ARN},Encrypt,,,3,0,`))).toBe(true);
  });

  it('refuses bad input with a 400 and an unknown key with a 404', async () => {
    const bad: Array<Record<string, string>> = [
      { groupBy: 'colour' },
      { groupBy: 'day,day' },
      { from: 'yesterday' },
      { format: 'xml' },
    ];
    for (const query of bad) {
      const answer = await get(`/v1/keys/${keyId}/usage`, query);
      expect(answer.status, JSON.stringify(query)).toBe(400);
      expect(answer.json.__type).toBe('ValidationException');
    }
    const backwards = await get(`/v1/keys/${keyId}/usage`, {
      from: '2026-01-02T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
    });
    expect(backwards.status).toBe(400);
    const missing = await get('/v1/keys/00000000-0000-4000-8000-000000000000/usage');
    expect(missing.status).toBe(404);
    expect(missing.json.__type).toBe('NotFoundException');
  });

  it('is for auditors and admins, not key users', async () => {
    expect((await get(`/v1/keys/${keyId}/usage`, {}, AUDITOR)).status).toBe(200);
    const denied = await get(`/v1/keys/${keyId}/usage`, {}, APP);
    expect(denied.status).toBe(403);
    expect(denied.json.__type).toBe('AccessDeniedException');
  });
});

describe('GET /v1/keys/{keyId}/backing-keys', () => {
  it('shows which backing key still serves which traffic, with its state now and last use', async () => {
    const answer = await get(`/v1/keys/${keyId}/backing-keys`);
    expect(answer.status, answer.text).toBe(200);
    const byId = Object.fromEntries(
      answer.json.backingKeys.map((b: { keyMaterialId: string }) => [b.keyMaterialId, b]),
    );
    expect(Object.keys(byId).sort()).toEqual([oldMaterial, newMaterial].sort());
    expect(byId[oldMaterial]).toMatchObject({
      current: false,
      state: 'NON_CURRENT',
      count: 4,
      operations: { Encrypt: 3, Decrypt: 1 },
      principals: 2,
      refused: 0,
    });
    expect(byId[oldMaterial].lastUse).toMatchObject({ operation: 'Decrypt', principal: APP_ARN });
    expect(byId[newMaterial]).toMatchObject({ current: true, state: 'CURRENT', count: 1, operations: { Encrypt: 1 } });
  });

  it('keeps the last use of a backing key unused within the window', async () => {
    const to = new Date(h.clock.now().getTime() + 1000);
    const answer = await get(`/v1/keys/${keyId}/backing-keys`, {
      from: to.toISOString(),
      to: new Date(to.getTime() + 1000).toISOString(),
    });
    const old = answer.json.backingKeys.find((b: { keyMaterialId: string }) => b.keyMaterialId === oldMaterial);
    expect(old).toMatchObject({ count: 0, operations: {}, principals: 0 });
    expect(old.lastUse).toMatchObject({ operation: 'Decrypt' });
  });
});

describe('GET /v1/keys/{keyId}/deletion-impact', () => {
  it('names the principals that used the key and the backing keys they used, with when each did last', async () => {
    const answer = await get(`/v1/keys/${keyId}/deletion-impact`, { days: '30' });
    expect(answer.status, answer.text).toBe(200);
    const impact = answer.json;
    expect(impact).toMatchObject({ keyId, keyState: 'Enabled', used: true, count: 5, refused: 1, days: 30 });
    expect(impact.principals.map((p: { principal: string }) => p.principal).sort()).toEqual([APP_ARN, adminArn].sort());
    const app = impact.principals.find((p: { principal: string }) => p.principal === APP_ARN);
    expect(app).toMatchObject({ count: 4, lastOperation: 'Decrypt' });
    expect(app.operations.sort()).toEqual(['Decrypt', 'Encrypt']);
    expect(app.keyMaterialIds.sort()).toEqual([oldMaterial, newMaterial].sort());
    const admin = impact.principals.find((p: { principal: string }) => p.principal === adminArn);
    expect(admin).toMatchObject({ count: 1, operations: ['Encrypt'], keyMaterialIds: [oldMaterial] });
    expect(impact.backingKeys.map((b: { keyMaterialId: string; count: number }) => [b.keyMaterialId, b.count])).toEqual(
      expect.arrayContaining([
        [oldMaterial, 4],
        [newMaterial, 1],
      ]),
    );
  });

  it('says a key nobody used is unused', async () => {
    const idle = await createKey();
    const impact = (await get(`/v1/keys/${idle}/deletion-impact`)).json;
    expect(impact).toMatchObject({ used: false, count: 0, principals: [], backingKeys: [], days: 30 });
    expect((await get(`/v1/keys/${idle}/deletion-impact`, { days: '0' })).status).toBe(400);
  });
});

describe('GET /v1/audit/events with usage', () => {
  it('filters usage events by type, key and the principal who used the key', async () => {
    const answer = await get('/v1/audit/events', {
      keyId,
      type: 'KeyUsageRecorded,KeyUsageRefused',
      actor: 'app',
    });
    expect(answer.status, answer.text).toBe(200);
    const events = answer.json.events as Array<{ type: string; streamName: string; data: { principal: string } }>;
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event.streamName).toBe(`usage-${keyId}`);
      expect(event.data.principal).toBe(APP_ARN);
    }
    const refused = await get('/v1/audit/events', { type: 'KeyUsageRefused' });
    expect(refused.json.events.map((e: { data: { errorCode: string } }) => e.data.errorCode)).toEqual([
      'AccessDeniedException',
    ]);
  });
});

describe('GET /v1/reports/unused-keys', () => {
  it('lists enabled keys with no successful use in N days, the clock moved ahead', async () => {
    const idle = await createKey();
    const disabled = await createKey();
    await h.kms.send(new DisableKeyCommand({ KeyId: disabled }));
    h.clock.advanceDays(91);
    const report = async (query: Record<string, string>) => {
      const answer = await get('/v1/reports/unused-keys', query);
      expect(answer.status, answer.text).toBe(200);
      return answer.json;
    };
    const first = await report({ days: '90' });
    const listed = (r: { keys: Array<{ keyId: string }> }) => r.keys.map((k) => k.keyId);
    expect(listed(first)).toEqual(expect.arrayContaining([keyId, idle]));
    expect(listed(first)).not.toContain(disabled);
    expect(first.complete).toBe(true);
    const used = first.keys.find((k: { keyId: string }) => k.keyId === keyId);
    expect(used).toMatchObject({ lastOperation: 'Decrypt', lastPrincipal: APP_ARN });
    expect(used.daysSinceLastUse).toBeGreaterThanOrEqual(91);
    expect(first.keys.find((k: { keyId: string }) => k.keyId === idle)).toMatchObject({ lastUsedAt: null });

    await encrypt(h.kms, keyId);
    await flush();
    const second = await report({ days: '90' });
    expect(listed(second)).not.toContain(keyId);
    expect(listed(second)).toContain(idle);
    // Keys younger than the window are not candidates: they have not been around long enough.
    expect(listed(await report({ days: '100' }))).toEqual([]);

    const csv = await get('/v1/reports/unused-keys', { days: '90', format: 'csv' });
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(UNUSED_KEYS_COLUMNS.join(','));
    expect(lines.slice(1).some((line) => line.startsWith(`${idle},`))).toBe(true);
    expect((await get('/v1/reports/unused-keys', { days: 'ninety' })).status).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('describes the usage views, every schema they name defined', async () => {
    const doc = (await ledgerGet(h, '/v1/openapi.json')).json;
    for (const path of [
      '/v1/keys/{keyId}/usage',
      '/v1/keys/{keyId}/backing-keys',
      '/v1/keys/{keyId}/deletion-impact',
      '/v1/reports/unused-keys',
    ]) {
      const ok = doc.paths[path].get.responses['200'].content['application/json'].schema.$ref as string;
      expect(doc.components.schemas[ok.split('/').pop()!], path).toBeDefined();
    }
  });
});

describe('a backing key last used long before the window', () => {
  it('still has its last use: the stream is read past the window until every backing key is found', async () => {
    const key = await createKey();
    const old = parseCiphertext(await encrypt(h.kms, key)).keyMaterialId;
    await h.kms.send(new RotateKeyOnDemandCommand({ KeyId: key }));
    await flush();
    h.clock.advanceDays(10);
    const current = parseCiphertext(await encrypt(h.kms, key)).keyMaterialId;
    await flush();
    const from = new Date(h.clock.now().getTime() - 86_400_000).toISOString();
    const answer = await get(`/v1/keys/${key}/backing-keys`, { from });
    const byId = Object.fromEntries(
      answer.json.backingKeys.map((b: { keyMaterialId: string }) => [b.keyMaterialId, b]),
    );
    expect(byId[current]).toMatchObject({ count: 1, current: true });
    expect(byId[old]).toMatchObject({ count: 0, current: false });
    expect(byId[old].lastUse).toMatchObject({ operation: 'Encrypt' });
    expect(Date.parse(byId[old].lastUse.at)).toBeLessThan(Date.parse(from));
  });
});

describe('GET /v1/reports/inventory', () => {
  it("gives each key's last use as of the report's time: none before it was used, none for a key never used", async () => {
    const idle = await createKey();
    const used = await createKey();
    const beforeUse = h.clock.now().toISOString();
    h.clock.advance(120_000);
    await encrypt(h.client(APP), used);
    await flush();
    const usedAt = h.clock.now().getTime();
    h.clock.advance(120_000);
    const report = async (query: Record<string, string>) => {
      const answer = await get('/v1/reports/inventory', query);
      expect(answer.status, answer.text).toBe(200);
      return answer.json as {
        usageTrackingStartedAt: string | null;
        keys: Array<{ keyId: string; lastUsedAt: string | null; lastOperation: string | null }>;
      };
    };
    const row = (r: Awaited<ReturnType<typeof report>>, id: string) => r.keys.find((k) => k.keyId === id)!;
    const now = await report({});
    expect(row(now, used)).toMatchObject({ lastOperation: 'Encrypt' });
    expect(Date.parse(row(now, used).lastUsedAt!)).toBe(usedAt);
    expect(row(now, idle)).toMatchObject({ lastUsedAt: null, lastOperation: null });
    expect(Date.parse(now.usageTrackingStartedAt!)).toBeLessThanOrEqual(usedAt);
    // As of before its use, the key had not been used.
    expect(row(await report({ asOf: beforeUse }), used)).toMatchObject({ lastUsedAt: null, lastOperation: null });

    const csv = await get('/v1/reports/inventory', { format: 'csv' });
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]!.endsWith(',lastUsedAt,lastOperation')).toBe(true);
    expect(lines.find((line) => line.startsWith(`${used},`))).toMatch(
      new RegExp(`,${row(now, used).lastUsedAt!.replace(/\./g, '\\.')},Encrypt$`),
    );
    expect(lines.find((line) => line.startsWith(`${idle},`))).toMatch(/,,$/);
  });
});
