import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_COLUMNS, COMPLIANCE_COLUMNS, INVENTORY_COLUMNS } from '../apps/keyledger/src/ledger-api/openapi.js';
import { ADMIN, type Harness } from './support/keyledger-harness.js';
import { AUDITOR, ledgerApiServer } from './support/ledger-api-server.js';

const SERVER = ledgerApiServer();
let h: Harness;
const { get, createKey } = SERVER;
beforeAll(() => {
  h = SERVER.h;
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
