import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type Harness } from './support/keyledger-harness.js';
import { AUDITOR, ledgerApiServer } from './support/ledger-api-server.js';

const SERVER = ledgerApiServer();
let h: Harness;
const { get, post, createKey, encrypt, store } = SERVER;
const b64 = (blob: Buffer) => blob.toString('base64');
beforeAll(() => {
  h = SERVER.h;
});

describe('history', () => {
  it("records every kind of operation in the key's and the alias's history, with actor and without sealed secrets", async () => {
    const keyId = await createKey('history');
    const other = await createKey('history other');
    const kms = h.kms;
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: 'renamed' }));
    await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'payments' }] }));
    await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['team'] }));
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/history', TargetKeyId: keyId }));
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/history', TargetKeyId: other }));
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/history' }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));

    const history = await get(`/v1/keys/${keyId}/events`, undefined, AUDITOR);
    expect(history.status).toBe(200);
    expect(history.type).toMatch(/^application\/json/);
    expect(history.json.keyId).toBe(keyId);
    expect(history.json.events.map((e: { type: string }) => e.type)).toEqual([
      'KeyCreated',
      'KeyMaterialGenerated',
      'KeyDescriptionUpdated',
      'KeyTagsAdded',
      'KeyTagsRemoved',
      'KeyDisabled',
      'KeyEnabled',
      'KeyRotationEnabled',
      'KeyRotationDisabled',
      'KeyMaterialGenerated',
      'KeyRotated',
      'KeyDeletionScheduled',
      'KeyDeletionCanceled',
    ]);
    const events = history.json.events;
    expect(events.map((e: { revision: string }) => e.revision)).toEqual(
      events.map((_: unknown, i: number) => String(i)),
    );
    expect(events[0].actor).toMatchObject({
      principal: 'arn:aws:iam::111122223333:user/admin',
      accessKeyId: ADMIN.accessKeyId,
    });
    expect(events[2].data).toEqual({ description: 'renamed' });
    expect(events[0].time).toBe(events[0].data.createdAt);

    const alias = await get('/v1/aliases/alias%2Fhistory/events');
    expect(alias.status).toBe(200);
    expect(alias.json.aliasName).toBe('alias/history');
    expect(alias.json.events.map((e: { type: string }) => e.type)).toEqual([
      'AliasCreated',
      'AliasMoved',
      'AliasDeleted',
    ]);
    expect(alias.json.events[1].data).toMatchObject({ fromKeyId: keyId, toKeyId: other });

    // The sealed material is in the store, and in no answer of the API.
    const stored = await store().readStream(`key-${keyId}`);
    const sealed = stored
      .filter((e) => e.type === 'KeyMaterialGenerated')
      .map((e) => (e.data as { sealedMaterial: string }).sealedMaterial);
    expect(sealed).toHaveLength(2);
    const audit = await get('/v1/audit/events', { keyId, limit: '1000' });
    const csv = await get('/v1/audit/events', { keyId, format: 'csv' });
    for (const text of [history.text, audit.text, csv.text]) {
      expect(text).not.toContain('sealedMaterial');
      for (const s of sealed) expect(text).not.toContain(s);
    }
  });

  it('answers 404 NotFoundException for a key or alias that never existed', async () => {
    const key = await get('/v1/keys/00000000-0000-4000-8000-000000000000/events');
    expect(key.status).toBe(404);
    expect(key.json.__type).toBe('NotFoundException');
    const alias = await get('/v1/aliases/alias%2Fnever/events');
    expect(alias.status).toBe(404);
    expect(alias.json).toMatchObject({ __type: 'NotFoundException' });
  });
});

describe('state as of a time and decryptability', () => {
  it('replays before and after a rotation and a disable', async () => {
    const beforeCreation = h.clock.now();
    h.clock.advance(60_000);
    const keyId = await createKey('as of');
    const blob1 = await encrypt(keyId);
    const t1 = h.clock.now();
    h.clock.advanceDays(10);
    await h.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const blob2 = await encrypt(keyId);
    const t2 = h.clock.now();
    h.clock.advanceDays(10);
    await h.kms.send(new DisableKeyCommand({ KeyId: keyId }));
    const t3 = h.clock.now();
    h.clock.advanceDays(1);

    const at1 = await get(`/v1/keys/${keyId}`, { asOf: t1.toISOString() });
    expect(at1.status).toBe(200);
    expect(at1.json).toMatchObject({ keyId, keyState: 'Enabled', enabled: true, asOf: t1.toISOString() });
    expect(at1.json.keyMaterials).toHaveLength(1);
    const material1 = at1.json.currentKeyMaterialId;
    expect(blob1.subarray(18, 50).toString('hex')).toBe(material1);

    const at2 = await get(`/v1/keys/${keyId}`, { asOf: t2.toISOString() });
    expect(at2.json.keyMaterials.map((m: { state: string }) => m.state)).toEqual(['NON_CURRENT', 'CURRENT']);
    expect(at2.json.currentKeyMaterialId).not.toBe(material1);
    expect(at2.json.keyState).toBe('Enabled');

    const at3 = await get(`/v1/keys/${keyId}`, { asOf: t3.toISOString() });
    expect(at3.json).toMatchObject({ keyState: 'Disabled', enabled: false });
    expect((await get(`/v1/keys/${keyId}`)).json.keyState).toBe('Disabled'); // default: now

    const before = await get(`/v1/keys/${keyId}`, { asOf: beforeCreation.toISOString() });
    expect(before.status).toBe(404);
    expect(before.json.__type).toBe('NotFoundException');

    const reasons = async (blob: Buffer, asOf: Date) =>
      (await post('/v1/decryptability', { ciphertextBlob: b64(blob), asOf: asOf.toISOString() })).json;
    expect(await reasons(blob1, t1)).toMatchObject({
      decryptable: true,
      reason: 'DECRYPTABLE',
      keyId,
      keyMaterialId: material1,
      keyState: 'Enabled',
    });
    expect(await reasons(blob2, t1)).toMatchObject({ decryptable: false, reason: 'KEY_MATERIAL_NOT_CREATED' });
    expect(await reasons(blob2, t2)).toMatchObject({ decryptable: true, reason: 'DECRYPTABLE' });
    expect(await reasons(blob1, t3)).toMatchObject({
      decryptable: false,
      reason: 'KEY_DISABLED',
      keyState: 'Disabled',
    });
    expect(await reasons(blob1, beforeCreation)).toMatchObject({
      decryptable: false,
      reason: 'KEY_NOT_CREATED',
      keyId,
      keyState: null,
    });
    expect(await reasons(Buffer.from('not a keyledger ciphertext'), t1)).toMatchObject({
      reason: 'INVALID_CIPHERTEXT',
      keyId: null,
    });
    // Without asOf: now.
    expect((await post('/v1/decryptability', { ciphertextBlob: b64(blob1) })).json.reason).toBe('KEY_DISABLED');

    const batch = await post('/v1/decryptability/batch', {
      items: [
        { ciphertextBlob: b64(blob1), asOf: t1.toISOString() },
        { ciphertextBlob: b64(blob2), asOf: t1.toISOString() },
        { ciphertextBlob: b64(blob2) },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.json.results.map((r: { reason: string }) => r.reason)).toEqual([
      'DECRYPTABLE',
      'KEY_MATERIAL_NOT_CREATED',
      'KEY_DISABLED',
    ]);
    const shared = await post('/v1/decryptability/batch', {
      ciphertextBlobs: [b64(blob1), b64(blob2)],
      asOf: t2.toISOString(),
    });
    expect(shared.json.results.map((r: { decryptable: boolean }) => r.decryptable)).toEqual([true, true]);
  });

  it('pending deletion, then deleted once the scheduler completes the deletion', async () => {
    const keyId = await createKey('to delete');
    const blob = await encrypt(keyId);
    const alive = h.clock.now();
    h.clock.advance(60_000);
    await h.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    const pending = h.clock.now();
    h.clock.advanceDays(8);
    await h.scheduler().sweep();
    const deleted = h.clock.now();

    const at = async (asOf: Date) =>
      (await post('/v1/decryptability', { ciphertextBlob: b64(blob), asOf: asOf.toISOString() })).json;
    expect(await at(alive)).toMatchObject({ reason: 'DECRYPTABLE' });
    expect(await at(pending)).toMatchObject({ reason: 'KEY_PENDING_DELETION', keyState: 'PendingDeletion' });
    expect(await at(deleted)).toMatchObject({ reason: 'KEY_DELETED', keyState: 'Deleted', decryptable: false });
    const state = await get(`/v1/keys/${keyId}`);
    expect(state.json).toMatchObject({ keyState: 'Deleted' });
    expect(state.json.keyMaterials.every((m: { state: string }) => m.state === 'DESTROYED')).toBe(true);
    const history = await get(`/v1/keys/${keyId}/events`);
    expect(history.json.events.at(-1)).toMatchObject({
      type: 'KeyDeleted',
      actor: { principal: 'keyledger:scheduler' },
    });
  });

  it('imported material deleted → KEY_MATERIAL_NOT_IMPORTED', async () => {
    const keyId = (await h.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const params = await h.kms.send(
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(32),
    );
    await h.kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapped,
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    const blob = await encrypt(keyId);
    const imported = h.clock.now();
    h.clock.advance(60_000);
    await h.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));

    const at = async (asOf?: Date) =>
      (await post('/v1/decryptability', { ciphertextBlob: b64(blob), ...(asOf && { asOf: asOf.toISOString() }) })).json;
    expect(await at(imported)).toMatchObject({ reason: 'DECRYPTABLE' });
    expect(await at()).toMatchObject({
      reason: 'KEY_MATERIAL_NOT_IMPORTED',
      keyState: 'PendingImport',
      decryptable: false,
    });
    const history = await get(`/v1/keys/${keyId}/events`);
    expect(history.json.events.map((e: { type: string }) => e.type)).toEqual([
      'KeyCreated',
      'KeyImportParametersIssued',
      'KeyMaterialImported',
      'KeyMaterialDeleted',
    ]);
    expect(history.text).not.toContain('sealedPrivateKey');
    expect(history.text).not.toContain('sealedMaterial');
  });
});
