import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STORE } from '@keyledger/app';
import { LEDGER_FILE_NAME, type EventStore } from '@keyledger/event-store';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStatus } from '../apps/keyledger/src/ledger-api/checkpoint-status.js';
import { CheckpointWriter } from '../apps/keyledger/src/ledger-api/checkpoint-writer.js';
import { startKeyledger, type Harness } from './support/keyledger-harness.js';
import { AUDITOR, KEY_USER, ledgerApiServer } from './support/ledger-api-server.js';

const SERVER = ledgerApiServer();
let h: Harness;
const { get, post, createKey } = SERVER;
beforeAll(() => {
  h = SERVER.h;
});

describe('access and input', () => {
  it('lets auditors read, refuses key users and unsigned or badly signed requests', async () => {
    const keyId = await createKey('access');
    expect((await get(`/v1/keys/${keyId}`, undefined, AUDITOR)).status).toBe(200);
    expect((await get('/v1/audit/verify', undefined, AUDITOR)).status).toBe(200);

    const keyUser = await get(`/v1/keys/${keyId}`, undefined, KEY_USER);
    expect(keyUser.status).toBe(403);
    expect(keyUser.json.__type).toBe('AccessDeniedException');
    expect(keyUser.json.message).toContain('user/app');

    const unsigned = await get(`/v1/keys/${keyId}`, undefined, null);
    expect(unsigned.status).toBe(401);
    expect(unsigned.json).toEqual({ __type: 'MissingAuthenticationTokenException', message: expect.any(String) });

    const wrongSecret = await get(`/v1/keys/${keyId}`, undefined, {
      accessKeyId: AUDITOR.accessKeyId,
      secretAccessKey: 'not-the-secret-at-all-000000',
    });
    expect(wrongSecret.status).toBe(403);
    expect(wrongSecret.json.__type).toBe('InvalidSignatureException');
    const unknown = await get(`/v1/keys/${keyId}`, undefined, {
      accessKeyId: 'AKIANOBODY0000000000',
      secretAccessKey: 'whatever-secret-000000000',
    });
    expect(unknown.status).toBe(403);
    expect(unknown.json.__type).toBe('UnrecognizedClientException');

    // Checkpoints are for admins.
    const byAuditor = await post('/v1/audit/checkpoints', undefined, AUDITOR);
    expect(byAuditor.status).toBe(403);
    expect(byAuditor.json.__type).toBe('AccessDeniedException');
    const byAdmin = await post('/v1/audit/checkpoints');
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.json.streams).toBeGreaterThan(0);
  });

  it('answers 400 for bad input, never 5xx', async () => {
    const keyId = await createKey('input');
    const badAsOf = await get(`/v1/keys/${keyId}`, { asOf: 'not-a-time' });
    expect([badAsOf.status, badAsOf.json.__type]).toEqual([400, 'ValidationException']);
    const badJson = await post('/v1/decryptability', '{"ciphertextBlob": ');
    expect([badJson.status, badJson.json.__type]).toEqual([400, 'SerializationException']);
    const array = await post('/v1/decryptability', '[]');
    expect([array.status, array.json.__type]).toEqual([400, 'SerializationException']);
    const noBlob = await post('/v1/decryptability', {});
    expect([noBlob.status, noBlob.json.__type]).toEqual([400, 'ValidationException']);
    const badBase64 = await post('/v1/decryptability', { ciphertextBlob: '!!!' });
    expect([badBase64.status, badBase64.json.__type]).toEqual([400, 'ValidationException']);
    const tooMany = await post('/v1/decryptability/batch', { ciphertextBlobs: new Array(1001).fill('AAAA') });
    expect([tooMany.status, tooMany.json.__type]).toEqual([400, 'ValidationException']);
    const neither = await post('/v1/decryptability/batch', { blobs: [] });
    expect([neither.status, neither.json.__type]).toEqual([400, 'ValidationException']);
    const badFormat = await get('/v1/reports/inventory', { format: 'xml' });
    expect([badFormat.status, badFormat.json.__type]).toEqual([400, 'ValidationException']);
    const badLimit = await get('/v1/audit/events', { limit: '5000' });
    expect([badLimit.status, badLimit.json.__type]).toEqual([400, 'ValidationException']);
  });

  it('serves an OpenAPI 3.1 document of every route, unsigned', async () => {
    const doc = await get('/v1/openapi.json', undefined, null);
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths).sort()).toEqual(
      [
        '/v1/keys/{keyId}/events',
        '/v1/aliases/{aliasName}/events',
        '/v1/keys/{keyId}',
        '/v1/keys/{keyId}/replication',
        '/v1/decryptability',
        '/v1/decryptability/batch',
        '/v1/reports/inventory',
        '/v1/reports/rotation-compliance',
        '/v1/audit/events',
        '/v1/audit/verify',
        '/v1/audit/checkpoints',
        '/v1/openapi.json',
        '/v1/keys/{keyId}/access',
        '/v1/access/simulate',
        '/v1/reports/access-review',
        '/v1/keys/{keyId}/usage',
        '/v1/keys/{keyId}/backing-keys',
        '/v1/keys/{keyId}/deletion-impact',
        '/v1/reports/unused-keys',
      ].sort(),
    );
  });
});

describe('periodic checkpoints', () => {
  it('writes a checkpoint when something changed since the last one, and only then', async () => {
    const writer = h.app.get(CheckpointWriter);
    await createKey('periodic');
    expect(await writer.tick()).toBe(true);
    expect(await writer.tick()).toBe(false);
    await createKey('periodic 2');
    expect(await writer.tick()).toBe(true);
    const verified = await get('/v1/audit/verify');
    expect(verified.json).toMatchObject({ ok: true });
    expect(verified.json.lastCheckpoint.time).toBe(h.clock.now().toISOString());
  });
});

describe('checkpoint refusals', () => {
  it('a new ledger starts with a genesis checkpoint; a deleted checkpoint stream is refused, counted and degrades readiness', async () => {
    const own = await startKeyledger();
    try {
      const store = own.app.get<EventStore>(EVENT_STORE);
      expect((await store.readAll({ maxCount: 1 }))[0]).toMatchObject({
        streamName: 'ledger-checkpoints',
        revision: 0n,
      });
      const writer = own.app.get(CheckpointWriter);
      const status = own.app.get(CheckpointStatus);
      await own.kms.send(new CreateKeyCommand({ Description: 'refusal' }));
      expect(await writer.tick()).toBe(true);
      expect(status).toMatchObject({
        degraded: null,
        refusals: 0,
        lastCheckpointHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });

      const db = new Database(join(own.dataDir, LEDGER_FILE_NAME));
      db.prepare('DELETE FROM events WHERE stream = ?').run('ledger-checkpoints');
      db.close();
      await own.kms.send(new CreateKeyCommand({ Description: 'after the deletion' }));
      expect(await writer.tick()).toBe(false);
      expect(status.refusals).toBe(1);
      expect(status.degraded).toMatch(/lost checkpoint revision 1/);
      await expect(store.readStream('ledger-checkpoints')).rejects.toThrow();
    } finally {
      await own.stop();
      rmSync(own.dataDir, { recursive: true, force: true });
    }
  });
});

describe('routing', () => {
  it('understands an alias name with its slash unencoded, and answers unknown /v1 paths in the API error shape', async () => {
    const keyId = await createKey('routing');
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/team/routing', TargetKeyId: keyId }));
    const encoded = await get('/v1/aliases/alias%2Fteam%2Frouting/events');
    expect(encoded.json.events.map((e: { type: string }) => e.type)).toEqual(['AliasCreated']);
    const plain = await get('/v1/aliases/alias/team/routing/events');
    expect(plain.status).toBe(200);
    expect(plain.json).toEqual(encoded.json);
    const unknown = await get('/v1/nothing/here');
    expect(unknown.status).toBe(404);
    expect(unknown.json.__type).toBe('NotFoundException');
    expect((await get('/v1/nothing/here', undefined, null)).status).toBe(401);
  });
});
