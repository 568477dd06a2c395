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
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STORE } from '@keyledger/app';
import { LEDGER_FILE_NAME, type EventStore } from '@keyledger/event-store';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStatus } from '../apps/keyledger/src/ledger-api/checkpoint-status.js';
import { CheckpointWriter } from '../apps/keyledger/src/ledger-api/checkpoint-writer.js';
import { AUDIT_COLUMNS, COMPLIANCE_COLUMNS, INVENTORY_COLUMNS } from '../apps/keyledger/src/ledger-api/openapi.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';
import { Sha256 } from './support/sha256.js';
import { writePrincipalsFile, type PrincipalsFile } from './support/principals-file.js';

const AUDITOR = { accessKeyId: 'AKIAAUDITOR000000001', secretAccessKey: 'auditor-secret-0123456789abcdef' };
const KEY_USER = { accessKeyId: 'AKIAKEYUSER000000001', secretAccessKey: 'keyuser-secret-0123456789abcdef' };

type Credentials = { accessKeyId: string; secretAccessKey: string };
interface Response {
  status: number;
  type: string;
  text: string;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let h: Harness;
let principals: PrincipalsFile;

/** A request to the ledger API signed as the AWS SDKs sign (SigV4, service kms), at the server's clock. */
async function api(
  method: 'GET' | 'POST',
  path: string,
  options: { query?: Record<string, string>; body?: unknown; as?: Credentials | null } = {},
): Promise<Response> {
  const url = new URL(h.url);
  const query = options.query ?? {};
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = { host: url.host };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let sent = headers;
  if (options.as !== null) {
    const signer = new SignatureV4({
      service: 'kms',
      region: 'us-east-1',
      credentials: options.as ?? ADMIN,
      sha256: Sha256,
    });
    const signed = await signer.sign(
      { method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query, headers, body },
      { signingDate: h.clock.now() },
    );
    sent = signed.headers as Record<string, string>;
  }
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const res = await fetch(`${h.url}${path}${qs ? `?${qs}` : ''}`, { method, headers: sent, body });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    type,
    text,
    headers: res.headers,
    json: type.startsWith('application/json') ? JSON.parse(text) : undefined,
  };
}

const get = (path: string, query?: Record<string, string>, as?: Credentials | null) => api('GET', path, { query, as });
const post = (path: string, body?: unknown, as?: Credentials | null) => api('POST', path, { body, as });

beforeAll(async () => {
  principals = writePrincipalsFile([
    { name: 'auditor', role: 'auditor', ...AUDITOR },
    { name: 'app', role: 'key-user', ...KEY_USER },
  ]);
  h = await startKeyledger({ env: { KEYLEDGER_PRINCIPALS_FILE: principals.path } });
});
afterAll(async () => {
  await h.close();
  principals?.remove();
});

const createKey = async (description = 'ledger api test') =>
  (await h.kms.send(new CreateKeyCommand({ Description: description }))).KeyMetadata!.KeyId!;
const encrypt = async (keyId: string) =>
  Buffer.from(
    (await h.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('secret') }))).CiphertextBlob!,
  );
const b64 = (blob: Buffer) => blob.toString('base64');
const store = () => h.app.get<EventStore>(EVENT_STORE);

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

describe('reports', () => {
  it('inventory as JSON and CSV, now and in the past', async () => {
    const keyId = await createKey('=cmd|inventory');
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/inventory', TargetKeyId: keyId }));
    const created = h.clock.now();
    h.clock.advanceDays(2);
    const newer = await createKey('newer');

    const now = await get('/v1/reports/inventory');
    expect(now.status).toBe(200);
    const row = now.json.keys.find((k: { keyId: string }) => k.keyId === keyId);
    expect(row).toMatchObject({
      aliases: ['alias/inventory'],
      keyState: 'Enabled',
      keyMaterialCount: 1,
      origin: 'AWS_KMS',
      rotationEnabled: false,
    });
    expect(row.currentKeyMaterialAgeDays).toBeCloseTo(2, 1);
    expect(now.json.keys.some((k: { keyId: string }) => k.keyId === newer)).toBe(true);

    const past = await get('/v1/reports/inventory', { asOf: created.toISOString() });
    expect(past.json.asOf).toBe(created.toISOString());
    expect(past.json.keys.some((k: { keyId: string }) => k.keyId === newer)).toBe(false);
    expect(past.json.keys.find((k: { keyId: string }) => k.keyId === keyId).currentKeyMaterialAgeDays).toBe(0);

    const csv = await get('/v1/reports/inventory', { format: 'csv' }, AUDITOR);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(INVENTORY_COLUMNS.join(','));
    expect(lines).toHaveLength(now.json.keys.length + 1);
    const line = lines.find((l) => l.startsWith(keyId))!;
    expect(line).toContain(",alias/inventory,'=cmd|inventory,AWS_KMS,Enabled,");
  });

  it('rotation compliance says why young material is young: rotated, imported, rotation off, or not yet due', async () => {
    const rotated = await createKey('compliance rotated on demand');
    await h.kms.send(new RotateKeyOnDemandCommand({ KeyId: rotated }));
    const scheduled = await createKey('compliance rotation on');
    await h.kms.send(new EnableKeyRotationCommand({ KeyId: scheduled }));
    const neverRotated = await createKey('compliance rotation off');
    const imported = (await h.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const params = await h.kms.send(
      new GetParametersForImportCommand({
        KeyId: imported,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
    await h.kms.send(
      new ImportKeyMaterialCommand({
        KeyId: imported,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: publicEncrypt(
          { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
          randomBytes(32),
        ),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    const report = await get('/v1/reports/rotation-compliance', { maxAgeDays: '30' });
    const byKey = new Map(report.json.keys.map((k: { keyId: string }) => [k.keyId, k]));
    expect(byKey.get(rotated)).toMatchObject({
      compliant: true,
      reason: 'ROTATED_WITHIN_PERIOD',
      lastRotatedAt: h.clock.now().toISOString(),
    });
    expect(byKey.get(scheduled)).toMatchObject({ compliant: true, reason: 'NOT_YET_DUE', lastRotatedAt: null });
    expect(byKey.get(neverRotated)).toMatchObject({
      compliant: true,
      reason: 'ROTATION_DISABLED',
      lastRotatedAt: null,
    });
    expect(byKey.get(imported)).toMatchObject({ compliant: true, reason: 'IMPORTED_MATERIAL', lastRotatedAt: null });
  });

  it('rotation compliance as JSON and CSV', async () => {
    const fresh = await createKey('compliance fresh');
    const rotating = await createKey('compliance rotating');
    await h.kms.send(new EnableKeyRotationCommand({ KeyId: rotating, RotationPeriodInDays: 90 }));
    const disabled = await createKey('compliance disabled');
    await h.kms.send(new DisableKeyCommand({ KeyId: disabled }));
    h.clock.advanceDays(40);
    const rotatedNow = await createKey('compliance rotated');

    const report = await get('/v1/reports/rotation-compliance', { maxAgeDays: '30' });
    expect(report.status).toBe(200);
    const byKey = new Map(report.json.keys.map((k: { keyId: string }) => [k.keyId, k]));
    expect(byKey.get(fresh)).toMatchObject({ compliant: false, reason: 'ROTATION_DISABLED' });
    expect(byKey.get(rotating)).toMatchObject({ compliant: false, reason: 'OVERDUE' });
    expect(byKey.get(disabled)).toMatchObject({ compliant: true, reason: 'DISABLED' });
    // Young but never rotated: compliant, and the reason says rotation is off (issue 17 point 8).
    expect(byKey.get(rotatedNow)).toMatchObject({
      compliant: true,
      reason: 'ROTATION_DISABLED',
      currentKeyMaterialAgeDays: 0,
      lastRotatedAt: null,
    });
    const { summary } = report.json;
    expect(summary.total).toBe(report.json.keys.length);
    expect(summary.compliant + summary.nonCompliant).toBe(summary.total);
    expect(Object.values(summary.byReason as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(summary.total);
    expect(report.json.maxAgeDays).toBe(30);

    const defaults = await get('/v1/reports/rotation-compliance');
    expect(defaults.json.maxAgeDays).toBe(365);
    expect(defaults.json.keys.find((k: { keyId: string }) => k.keyId === fresh)).toMatchObject({
      reason: 'ROTATION_DISABLED',
      compliant: true,
    });

    const csv = await get('/v1/reports/rotation-compliance', { maxAgeDays: '30', format: 'csv' });
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(COMPLIANCE_COLUMNS.join(','));
    expect(lines.find((l) => l.startsWith(rotating))).toMatch(/^[^,]+,us-east-1,,false,OVERDUE,40,/);

    const bad = await get('/v1/reports/rotation-compliance', { maxAgeDays: '0' });
    expect(bad.status).toBe(400);
    expect(bad.json.__type).toBe('ValidationException');
  });
});

describe('audit events', () => {
  it('filters by key, type, actor and time, and pages with a cursor in JSON and CSV', async () => {
    h.clock.advance(60_000); // nothing of the tests before shares a time with this one
    const from = h.clock.now();
    const keyId = await createKey('audit');
    h.clock.advanceDays(1);
    const middle = h.clock.now();
    await h.kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await h.kms.send(new EnableKeyCommand({ KeyId: keyId }));
    await h.kms.send(new CreateAliasCommand({ AliasName: 'alias/audit', TargetKeyId: keyId }));
    const to = h.clock.now();

    const ofKey = await get('/v1/audit/events', { keyId });
    expect(ofKey.json.events.map((e: { type: string }) => e.type)).toEqual([
      'KeyCreated',
      'KeyMaterialGenerated',
      'KeyDisabled',
      'KeyEnabled',
      'AliasCreated',
    ]);
    expect(ofKey.json.events[4].streamName).toBe('alias-alias/audit');
    expect(ofKey.json.nextCursor).toBeNull();

    const typed = await get('/v1/audit/events', { keyId, type: 'KeyDisabled,KeyEnabled' });
    expect(typed.json.events.map((e: { type: string }) => e.type)).toEqual(['KeyDisabled', 'KeyEnabled']);

    const timed = await get('/v1/audit/events', { from: middle.toISOString(), to: to.toISOString() });
    expect(timed.json.events.map((e: { type: string }) => e.type)).toEqual([
      'KeyDisabled',
      'KeyEnabled',
      'AliasCreated',
    ]);

    expect((await get('/v1/audit/events', { actor: 'auditor', from: from.toISOString() })).json.events).toEqual([]);
    expect(
      (await get('/v1/audit/events', { actor: ADMIN.accessKeyId, from: from.toISOString() })).json.events,
    ).toHaveLength(5);

    const first = await get('/v1/audit/events', { from: from.toISOString(), limit: '2' });
    expect(first.json.events).toHaveLength(2);
    expect(first.json.nextCursor).toBe(first.json.events[1].position);
    const rest = await get('/v1/audit/events', { from: from.toISOString(), cursor: first.json.nextCursor });
    expect(rest.json.events.map((e: { type: string }) => e.type)).toEqual([
      'KeyDisabled',
      'KeyEnabled',
      'AliasCreated',
    ]);
    expect(rest.json.nextCursor).toBeNull();

    const csv = await get('/v1/audit/events', { keyId, limit: '2', format: 'csv' });
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(AUDIT_COLUMNS.join(','));
    expect(lines).toHaveLength(3);
    expect(csv.headers.get('x-keyledger-next-cursor')).toMatch(/^\d+$/);

    const badCursor = await get('/v1/audit/events', { cursor: 'abc' });
    expect(badCursor.status).toBe(400);
    expect(badCursor.json.__type).toBe('InvalidMarkerException');
    const badTime = await get('/v1/audit/events', { from: 'yesterday' });
    expect(badTime.status).toBe(400);
    expect(badTime.json.__type).toBe('ValidationException');
  });
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
