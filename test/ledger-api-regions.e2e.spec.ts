import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRecorder } from '@keyledger/app';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { ledgerApi } from './support/ledger-api-request.js';

let h: Harness;

/** The ledger API, signed for the home region: /v1 answers for every region. */
const api = (method: 'GET' | 'POST', path: string, query: Record<string, string> = {}, json?: unknown) =>
  ledgerApi(h, method, path, { query, body: json });

describe('the ledger API across regions', () => {
  let home: string;
  let eu: string;
  let euCiphertext: string;

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1' } });
    home = (await h.kms.send(new CreateKeyCommand({ Description: 'home' }))).KeyMetadata!.KeyId!;
    const euKms = h.client(ADMIN, 'eu-west-1');
    eu = (await euKms.send(new CreateKeyCommand({ Description: 'eu' }))).KeyMetadata!.KeyId!;
    await euKms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: eu }));
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: home }));
    const sealed = await euKms.send(new EncryptCommand({ KeyId: eu, Plaintext: Buffer.from('x') }));
    euCiphertext = Buffer.from(sealed.CiphertextBlob!).toString('base64');
    await euKms.send(new DisableKeyCommand({ KeyId: eu }));
  });
  afterAll(() => h.close());

  it('GET /v1/keys/{id}: the region asked, a key ARN’s own, else the home region', async () => {
    const byRegion = await get(`/v1/keys/${eu}`, { region: 'eu-west-1' });
    expect(byRegion.status).toBe(200);
    expect(byRegion.json).toMatchObject({ keyId: eu, region: 'eu-west-1', description: 'eu', aliases: ['alias/app'] });
    const byArn = await get(`/v1/keys/${encodeURIComponent(`arn:aws:kms:eu-west-1:111122223333:key/${eu}`)}`);
    expect(byArn.json).toMatchObject({ keyId: eu, region: 'eu-west-1' });
    const atHome = await get(`/v1/keys/${home}`);
    expect(atHome.json).toMatchObject({ keyId: home, region: 'us-east-1', aliases: ['alias/app'] });
    const elsewhere = await get(`/v1/keys/${eu}`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.json.message).toContain(`arn:aws:kms:us-east-1:111122223333:key/${eu}`);
    expect((await get(`/v1/keys/${eu}`, { region: 'EU' })).status).toBe(400);
  });

  it('history of a key and of an alias in a region', async () => {
    const history = await get(`/v1/keys/${eu}/events`, { region: 'eu-west-1' });
    expect(history.json.region).toBe('eu-west-1');
    expect(history.json.events.map((e: { type: string }) => e.type)).toContain('KeyDisabled');
    const alias = await get('/v1/aliases/alias%2Fapp/events', { region: 'eu-west-1' });
    expect(alias.json.events[0].data.targetKeyId).toBe(eu);
    const homeAlias = await get('/v1/aliases/alias%2Fapp/events');
    expect(homeAlias.json.events[0].data.targetKeyId).toBe(home);
  });

  it('reports carry a region column and take a region filter', async () => {
    const all = await get('/v1/reports/inventory');
    expect(all.json.keys.map((k: { keyId: string; region: string }) => [k.keyId, k.region])).toEqual([
      [home, 'us-east-1'],
      [eu, 'eu-west-1'],
    ]);
    expect(all.json.keys[1].aliases).toEqual(['alias/app']);
    const euOnly = await get('/v1/reports/inventory', { region: 'eu-west-1' });
    expect(euOnly.json.keys.map((k: { keyId: string }) => k.keyId)).toEqual([eu]);
    const csv = await get('/v1/reports/rotation-compliance', { region: 'us-east-1', format: 'csv' });
    const [header, row, ...rest] = csv.text.trim().split(/\r?\n/);
    expect(header!.split(',').slice(0, 2)).toEqual(['keyId', 'region']);
    expect(row!.startsWith(`${home},us-east-1,`)).toBe(true);
    expect(rest).toEqual([]);
  });

  it('decryptability is answered in the region asked', async () => {
    const inEu = await post('/v1/decryptability', { ciphertextBlob: euCiphertext, region: 'eu-west-1' });
    expect(inEu.json).toMatchObject({ decryptable: false, reason: 'KEY_DISABLED', region: 'eu-west-1', keyId: eu });
    const atHome = await post('/v1/decryptability', { ciphertextBlob: euCiphertext });
    expect(atHome.json).toMatchObject({ decryptable: false, reason: 'KEY_NOT_CREATED', region: 'us-east-1' });
    const batch = await post('/v1/decryptability/batch', {
      items: [{ ciphertextBlob: euCiphertext, region: 'eu-west-1' }, { ciphertextBlob: euCiphertext }],
    });
    expect(batch.json.results.map((r: { reason: string }) => r.reason)).toEqual(['KEY_DISABLED', 'KEY_NOT_CREATED']);
  });

  it('audit events of a key in a region: its stream and its region’s alias events', async () => {
    const page = await get('/v1/audit/events', { keyId: eu, region: 'eu-west-1' });
    const streams = new Set(page.json.events.map((e: { streamName: string }) => e.streamName));
    expect([...streams].sort()).toEqual([`alias-alias/app@eu-west-1`, `key-${eu}@eu-west-1`]);
  });

  // Last, as it flushes usage records (which the audit events above would include).
  it("the inventory's last use of each key is its own region's", async () => {
    // The eu key encrypted once, the home key never.
    await h.app.get(UsageRecorder).flush();
    const used = await get('/v1/reports/inventory');
    expect(
      used.json.keys.map((k: { region: string; lastOperation: string | null }) => [k.region, k.lastOperation]),
    ).toEqual([
      ['us-east-1', null],
      ['eu-west-1', 'Encrypt'],
    ]);
  });
});

const get = (path: string, query?: Record<string, string>) => api('GET', path, query);
const post = (path: string, json: unknown) => api('POST', path, {}, json);
