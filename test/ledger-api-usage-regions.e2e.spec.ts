import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyLastUsageCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STORE, UsageRecorder } from '@keyledger/app';
import type { EventStore } from '@keyledger/event-store';
import { usageStream } from '@keyledger/ledger';
import { signRequest } from '../apps/keyledger/src/cli/api/sigv4-signer.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { ledgerGet } from './support/ledger-api-request.js';

/**
 * The usage views and the access view answer for any region, as the rest of /v1 does: `region` given, else a
 * key ARN's own region, else the home region. A key of eu-west-1 has its usage on its own stream.
 */
let h: Harness;
let home: string;
let eu: string;
const euArn = () => `arn:aws:kms:eu-west-1:111122223333:key/${eu}`;
const get = (path: string, query: Record<string, string> = {}) => ledgerGet(h, path, query);

async function post(path: string, json: unknown) {
  const url = new URL(path, h.url);
  const body = JSON.stringify(json);
  const headers = signRequest(
    { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
    ADMIN,
    'us-east-1',
    h.clock.now(),
  );
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, json: (await response.json()) as { decision?: string; message?: string } };
}

beforeAll(async () => {
  h = await startKeyledger({ env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1' } });
  home = (await h.kms.send(new CreateKeyCommand({ Description: 'home' }))).KeyMetadata!.KeyId!;
  eu = (await h.client(ADMIN, 'eu-west-1').send(new CreateKeyCommand({ Description: 'eu' }))).KeyMetadata!.KeyId!;
  // Created before the window of the unused-keys report below; a client signs at the clock it was made at.
  h.clock.advance(2 * 86_400_000);
  const euKms = h.client(ADMIN, 'eu-west-1');
  for (let i = 0; i < 3; i++) {
    const sealed = await euKms.send(new EncryptCommand({ KeyId: eu, Plaintext: Buffer.from('x') }));
    await euKms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
  }
  await h.kms.send(new GenerateDataKeyCommand({ KeyId: home, KeySpec: 'AES_256' }));
  await h.app.get(UsageRecorder).flush();
});
afterAll(() => h.close());

describe('usage across regions', () => {
  it('a key of another region flushes to its own usage stream; the home region keeps the name it had', async () => {
    const store = h.app.get<EventStore>(EVENT_STORE);
    const euEvents = await store.readStream(usageStream(`${eu}@eu-west-1`));
    expect(euEvents.map((e) => [e.type, (e.data as { region: string }).region])).toEqual([
      ['KeyUsageRecorded', 'eu-west-1'],
      ['KeyUsageRecorded', 'eu-west-1'],
    ]);
    const homeEvents = await store.readStream(usageStream(home));
    expect(homeEvents.map((e) => (e.data as { operation: string }).operation)).toEqual(['GenerateDataKey']);
    await expect(store.readStream(usageStream(eu))).rejects.toThrow();
  });

  it('GET /v1/keys/{id}/usage: the region asked, a key ARN’s own, else the home region', async () => {
    const byRegion = await get(`/v1/keys/${eu}/usage`, { region: 'eu-west-1', groupBy: 'operation' });
    expect(byRegion.status).toBe(200);
    expect(byRegion.json).toMatchObject({ keyId: eu, region: 'eu-west-1', arn: euArn(), totals: { count: 6 } });
    expect(byRegion.json.groups.map((g: { operation: string; count: number }) => [g.operation, g.count])).toEqual([
      ['Decrypt', 3],
      ['Encrypt', 3],
    ]);
    const byArn = await get(`/v1/keys/${encodeURIComponent(euArn())}/usage`);
    expect(byArn.json).toMatchObject({ region: 'eu-west-1', totals: { count: 6 } });
    const atHome = await get(`/v1/keys/${home}/usage`);
    expect(atHome.json).toMatchObject({ region: 'us-east-1', totals: { count: 1 } });
    const elsewhere = await get(`/v1/keys/${eu}/usage`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.json.message).toContain(`arn:aws:kms:us-east-1:111122223333:key/${eu}`);
    expect((await get(`/v1/keys/${eu}/usage`, { region: 'EU' })).status).toBe(400);
    // An ARN of one region asked about in another is refused, as the KMS API refuses it.
    expect((await get(`/v1/keys/${encodeURIComponent(euArn())}/usage`, { region: 'us-east-1' })).status).not.toBe(200);
  });

  it('backing keys and deletion impact of a key in its region', async () => {
    const backing = await get(`/v1/keys/${eu}/backing-keys`, { region: 'eu-west-1' });
    expect(backing.json).toMatchObject({ keyId: eu, region: 'eu-west-1' });
    expect(backing.json.backingKeys).toHaveLength(1);
    expect(backing.json.backingKeys[0]).toMatchObject({ count: 6, operations: { Encrypt: 3, Decrypt: 3 } });
    const impact = await get(`/v1/keys/${encodeURIComponent(euArn())}/deletion-impact`);
    expect(impact.json).toMatchObject({ keyId: eu, region: 'eu-west-1', used: true, count: 6 });
    expect(impact.json.principals.map((p: { principal: string }) => p.principal)).toEqual([
      'arn:aws:iam::111122223333:user/admin',
    ]);
    expect((await get(`/v1/keys/${eu}/deletion-impact`)).status).toBe(404);
    expect((await get(`/v1/keys/${eu}/backing-keys`)).status).toBe(404);
  });

  it('unused keys of every region, or of one', async () => {
    // A day and a minute after the last uses: unused in the last day, used in the last two.
    h.clock.advance(86_400_000 + 60_000);
    const all = await get('/v1/reports/unused-keys', { days: '1' });
    expect(all.json.region).toBeNull();
    expect(all.json.keys.map((k: { keyId: string; region: string }) => [k.keyId, k.region]).sort()).toEqual(
      [
        [eu, 'eu-west-1'],
        [home, 'us-east-1'],
      ].sort(),
    );
    const recent = await get('/v1/reports/unused-keys', { days: '2' });
    expect(recent.json.keys).toEqual([]);
    const euOnly = await get('/v1/reports/unused-keys', { days: '1', region: 'eu-west-1' });
    expect(euOnly.json.region).toBe('eu-west-1');
    expect(euOnly.json.keys.map((k: { arn: string }) => k.arn)).toEqual([euArn()]);
    const csv = await get('/v1/reports/unused-keys', { days: '1', region: 'us-east-1', format: 'csv' });
    const [header, row, ...rest] = csv.text.trim().split(/\r?\n/);
    expect(header!.split(',').slice(0, 3)).toEqual(['keyId', 'arn', 'region']);
    expect(row!.startsWith(`${home},arn:aws:kms:us-east-1:111122223333:key/${home},us-east-1,`)).toBe(true);
    expect(rest).toEqual([]);
    expect((await get('/v1/reports/unused-keys', { region: 'nowhere' })).status).toBe(400);
  });

  it('GetKeyLastUsage answers each region from its own usage', async () => {
    const euLast = await h.client(ADMIN, 'eu-west-1').send(new GetKeyLastUsageCommand({ KeyId: eu }));
    expect(euLast.KeyLastUsage?.Operation).toBe('Decrypt');
    const homeLast = await h.kms.send(new GetKeyLastUsageCommand({ KeyId: home }));
    expect(homeLast.KeyLastUsage?.Operation).toBe('GenerateDataKey');
  });
});

describe('who could use a key, across regions', () => {
  it('GET /v1/keys/{id}/access: the region asked, a key ARN’s own, else the home region', async () => {
    const byRegion = await get(`/v1/keys/${eu}/access`, { region: 'eu-west-1' });
    expect(byRegion.status).toBe(200);
    expect(byRegion.json.keyArn).toBe(euArn());
    const byArn = await get(`/v1/keys/${encodeURIComponent(euArn())}/access`);
    expect(byArn.json.keyArn).toBe(euArn());
    expect((await get(`/v1/keys/${home}/access`)).json.keyArn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${home}`);
    expect((await get(`/v1/keys/${eu}/access`)).status).toBe(404);
    const badRegion = await get(`/v1/keys/${eu}/access`, { region: 'EU' });
    expect(badRegion.status).toBe(400);
    expect(badRegion.json.message).toContain('region');
  });

  it('POST /v1/access/simulate takes a region; the access review a region filter', async () => {
    const question = { principal: 'admin', action: 'kms:Decrypt', keyId: eu };
    expect((await post('/v1/access/simulate', { ...question, region: 'eu-west-1' })).json).toMatchObject({
      decision: 'ALLOWED',
    });
    expect((await post('/v1/access/simulate', { ...question, keyId: euArn() })).json.decision).toBe('ALLOWED');
    expect((await post('/v1/access/simulate', question)).status).toBe(404);
    expect((await post('/v1/access/simulate', { ...question, region: 7 })).status).toBe(400);
    const review = await get('/v1/reports/access-review', { region: 'eu-west-1' });
    const keys = new Set(review.json.rows.map((r: { keyArn: string }) => r.keyArn));
    expect([...keys]).toEqual([euArn()]);
    const all = await get('/v1/reports/access-review');
    expect(new Set(all.json.rows.map((r: { keyArn: string }) => r.keyArn)).size).toBe(2);
  });
});
