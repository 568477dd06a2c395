import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  UpdateKeyDescriptionCommand,
  UpdatePrimaryRegionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { parseCiphertext } from '@keyledger/crypto';
import { SHRED_VAULT } from '../apps/keyledger/src/infrastructure/tokens.js';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { ledgerGet } from './support/ledger-api-request.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
type Region = (typeof REGIONS)[number];
const ACCOUNT = '111122223333';
const DAY = 86_400_000;
const arn = (region: string, keyId: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;

describe('a multi-Region key across three regions, through @aws-sdk/client-kms', () => {
  let h: Harness;
  const kms = {} as Record<Region, KMSClient>;
  let keyId: string;
  let beforeRotation: string;
  let rotatedAt: string;
  const describeIn = async (region: Region) =>
    (await kms[region].send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
  const encryptIn = async (region: Region, text: string) =>
    (await kms[region].send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) }))).CiphertextBlob!;
  const decryptIn = async (region: Region, blob: Uint8Array) =>
    Buffer.from((await kms[region].send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();
  const clientsAt = () => {
    for (const region of REGIONS) kms[region] = h.client(ADMIN, region);
  };

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: REGIONS.join(',') } });
    clientsAt();
  });
  afterAll(() => h.close());

  it('CreateKey with MultiRegion makes an mrk- primary with no replicas', async () => {
    const created = await kms['us-east-1'].send(new CreateKeyCommand({ MultiRegion: true, Description: 'orders' }));
    const meta = created.KeyMetadata!;
    keyId = meta.KeyId!;
    expect(keyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(meta.MultiRegion).toBe(true);
    expect(meta.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: arn('us-east-1', keyId), Region: 'us-east-1' },
      ReplicaKeys: [],
    });
    const single = await kms['us-east-1'].send(new CreateKeyCommand({}));
    expect(single.KeyMetadata!.MultiRegion).toBe(false);
    expect(single.KeyMetadata!.MultiRegionConfiguration).toBeUndefined();
  });

  it('ReplicateKey makes a replica with the same id in each other region; again to the same region is refused', async () => {
    const first = await kms['us-east-1'].send(
      new ReplicateKeyCommand({
        KeyId: keyId,
        ReplicaRegion: 'eu-west-1',
        Description: 'orders in Europe',
        Tags: [{ TagKey: 'team', TagValue: 'eu' }],
      }),
    );
    expect(first.ReplicaKeyMetadata).toMatchObject({
      KeyId: keyId,
      Arn: arn('eu-west-1', keyId),
      Description: 'orders in Europe',
      KeyState: 'Enabled',
      MultiRegion: true,
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: arn('us-east-1', keyId), Region: 'us-east-1' },
        ReplicaKeys: [{ Arn: arn('eu-west-1', keyId), Region: 'eu-west-1' }],
      },
    });
    expect(JSON.parse(first.ReplicaPolicy!)).toMatchObject({ Id: 'key-default-1' });
    expect(first.ReplicaTags).toEqual([{ TagKey: 'team', TagValue: 'eu' }]);
    await kms['us-east-1'].send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'ap-southeast-2' }));

    expect(
      await failure(kms['us-east-1'].send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }))),
    ).toMatchObject({ name: 'AlreadyExistsException', message: `Key '${arn('eu-west-1', keyId)}' already exists` });
    // Only the primary replicates.
    expect(
      await failure(kms['eu-west-1'].send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'ap-southeast-2' }))),
    ).toMatchObject({ name: 'UnsupportedOperationException' });

    const members = REGIONS.map((r) => ({ Arn: arn(r, keyId), Region: r }));
    for (const region of REGIONS) {
      const meta = await describeIn(region);
      expect(meta.MultiRegionConfiguration!.ReplicaKeys).toEqual(members.slice(1));
      expect(meta.KeySpec).toBe('SYMMETRIC_DEFAULT');
      expect(meta.CurrentKeyMaterialId).toBe((await describeIn('us-east-1')).CurrentKeyMaterialId);
    }
  });

  it('a ciphertext made in one region decrypts with the replica in the others', async () => {
    const blob = await encryptIn('us-east-1', 'made in Virginia');
    expect(parseCiphertext(Buffer.from(blob)).keyId).toBe(keyId);
    expect(await decryptIn('eu-west-1', blob)).toBe('made in Virginia');
    expect(await decryptIn('ap-southeast-2', blob)).toBe('made in Virginia');
    const european = await encryptIn('eu-west-1', 'made in Ireland');
    expect(await decryptIn('us-east-1', european)).toBe('made in Ireland');
    expect(await decryptIn('ap-southeast-2', european)).toBe('made in Ireland');
  });

  it('description and enabled state are each region’s own', async () => {
    await kms['ap-southeast-2'].send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: 'Sydney copy' }));
    expect((await describeIn('ap-southeast-2')).Description).toBe('Sydney copy');
    expect((await describeIn('us-east-1')).Description).toBe('orders');
    await kms['ap-southeast-2'].send(new DisableKeyCommand({ KeyId: keyId }));
    expect((await describeIn('ap-southeast-2')).KeyState).toBe('Disabled');
    expect((await describeIn('us-east-1')).KeyState).toBe('Enabled');
  });

  it('rotation happens on the primary, and the new backing key reaches every replica and is used there', async () => {
    expect(await failure(kms['eu-west-1'].send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).toMatchObject({
      name: 'UnsupportedOperationException',
    });
    expect(
      await failure(kms['eu-west-1'].send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }))),
    ).toMatchObject({ name: 'UnsupportedOperationException' });
    const before = await encryptIn('eu-west-1', 'before rotation');
    await kms['us-east-1'].send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    h.clock.advance(60_000);
    beforeRotation = h.clock.now().toISOString();
    h.clock.advance(60_000);
    clientsAt();
    await kms['us-east-1'].send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    rotatedAt = h.clock.now().toISOString();
    const rotated = (await describeIn('us-east-1')).CurrentKeyMaterialId!;
    for (const region of ['eu-west-1', 'ap-southeast-2'] as const) {
      const rotations = (await kms[region].send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations!;
      expect(rotations.map((r) => [r.KeyMaterialId, r.RotationType, r.KeyMaterialState])).toEqual([
        [rotated, 'ON_DEMAND', 'CURRENT'],
      ]);
      expect((await describeIn(region)).CurrentKeyMaterialId).toBe(rotated);
      // The shared rotation settings are the primary's.
      const status = await kms[region].send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
      expect([status.KeyRotationEnabled, status.RotationPeriodInDays]).toEqual([true, 90]);
    }
    const after = await encryptIn('eu-west-1', 'after rotation');
    expect(parseCiphertext(Buffer.from(after)).keyMaterialId).toBe(rotated);
    expect(parseCiphertext(Buffer.from(before)).keyMaterialId).not.toBe(rotated);
    expect(await decryptIn('us-east-1', after)).toBe('after rotation');
    expect(await decryptIn('us-east-1', before)).toBe('before rotation');
  });

  it('the ledger shows, as of any time, which backing keys each member held and since when', async () => {
    const original = (await ledgerGet(h, `/v1/keys/${keyId}/replication`, { asOf: beforeRotation })).json;
    const now = (await ledgerGet(h, `/v1/keys/${keyId}/replication`)).json;
    expect(original.primaryRegion).toBe('us-east-1');
    expect(original.members.map((m: { region: string }) => m.region)).toEqual([
      'us-east-1',
      'eu-west-1',
      'ap-southeast-2',
    ]);
    const rotated = (await describeIn('us-east-1')).CurrentKeyMaterialId!;
    for (const member of original.members) {
      expect(member.backingKeys).toHaveLength(1);
      expect(member.backingKeys[0].current).toBe(true);
    }
    for (const member of now.members) {
      expect(
        member.backingKeys.map((b: { keyMaterialId: string; current: boolean }) => [b.current, b.keyMaterialId]),
      ).toEqual([
        [false, original.members[0].backingKeys[0].keyMaterialId],
        [true, rotated],
      ]);
      // Generated on the primary and arrived in each replica at the rotation.
      expect(member.backingKeys[1].heldSince).toBe(rotatedAt);
    }
    expect(now.members[1]).toMatchObject({ multiRegionKeyType: 'REPLICA', arn: arn('eu-west-1', keyId) });

    const inventory = (await ledgerGet(h, '/v1/reports/inventory', { region: 'eu-west-1' })).json;
    const row = inventory.keys.find((k: { keyId: string }) => k.keyId === keyId);
    expect(row).toMatchObject({ region: 'eu-west-1', primaryRegion: 'us-east-1' });
    expect((await ledgerGet(h, '/v1/keys/not-an-mrk/replication')).status).toBe(400);

    // The CLI asks the same question of the running server (it signs with the machine's clock,
    // which the test has moved only two minutes from).
    const bin = join(resolve(import.meta.dirname, '..'), 'apps/keyledger/bin/keyledger.js');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [bin, 'replication', keyId, '--as-of', beforeRotation, '--url', h.url],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
        },
      },
    );
    expect(JSON.parse(stdout)).toEqual(original);
  });

  it('UpdatePrimaryRegion moves the primary role; every member follows it', async () => {
    // AWS: both keys must be enabled; the Sydney replica is disabled.
    expect(
      await failure(
        kms['us-east-1'].send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: 'ap-southeast-2' })),
      ),
    ).toMatchObject({ name: 'DisabledException' });
    await kms['us-east-1'].send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: 'eu-west-1' }));
    const types = await Promise.all(
      REGIONS.map(async (r) => (await describeIn(r)).MultiRegionConfiguration!.MultiRegionKeyType),
    );
    expect(types).toEqual(['REPLICA', 'PRIMARY', 'REPLICA']);
    for (const region of REGIONS) {
      const config = (await describeIn(region)).MultiRegionConfiguration!;
      expect(config.PrimaryKey).toEqual({ Arn: arn('eu-west-1', keyId), Region: 'eu-west-1' });
      expect(config.ReplicaKeys!.map((r) => r.Region).sort()).toEqual(['ap-southeast-2', 'us-east-1']);
    }
    expect(await failure(kms['us-east-1'].send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).toMatchObject({
      name: 'UnsupportedOperationException',
    });
    await kms['eu-west-1'].send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const newest = (await describeIn('eu-west-1')).CurrentKeyMaterialId!;
    expect((await describeIn('us-east-1')).CurrentKeyMaterialId).toBe(newest);
    const status = await kms['eu-west-1'].send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect([status.KeyRotationEnabled, status.RotationPeriodInDays]).toEqual([true, 90]);
  });

  it('the primary waits in PendingReplicaDeletion until its replicas are deleted, then for its own window', async () => {
    const blob = await encryptIn('eu-west-1', 'last words');
    const scheduled = await kms['eu-west-1'].send(
      new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }),
    );
    expect(scheduled.KeyState).toBe('PendingReplicaDeletion');
    expect(scheduled.DeletionDate).toBeUndefined();
    expect((await describeIn('eu-west-1')).PendingDeletionWindowInDays).toBe(7);
    // A replica still decrypts: only the primary waits.
    expect(await decryptIn('us-east-1', blob)).toBe('last words');

    for (const region of ['us-east-1', 'ap-southeast-2'] as const)
      await kms[region].send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    h.clock.advance(8 * DAY);
    clientsAt();
    expect((await h.scheduler().sweep()).deleted).toBe(2);
    const primary = await describeIn('eu-west-1');
    expect(primary.KeyState).toBe('PendingDeletion');
    expect(primary.DeletionDate!.getTime()).toBe(h.clock.now().getTime() + 7 * DAY);
    expect(primary.MultiRegionConfiguration!.ReplicaKeys).toEqual([]);
    expect(await failure(decryptIn('us-east-1', blob))).toMatchObject({ name: 'NotFoundException' });

    h.clock.advance(8 * DAY);
    clientsAt();
    expect((await h.scheduler().sweep()).deleted).toBe(1);
    expect(await failure(describeIn('eu-west-1'))).toMatchObject({ name: 'NotFoundException' });
  });
});

describe('crypto-shredding stays per member of a multi-Region key', () => {
  let h: Harness;
  afterAll(() => h.close());

  it('deleting a replica destroys its own copies only; the primary still decrypts what the replica made', async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1' } });
    const vault = h.app.get<symbol, { has(id: string): boolean }>(SHRED_VAULT);
    const primary = h.client(ADMIN, 'us-east-1');
    const keyId = (await primary.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    await primary.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }));
    const replica = h.client(ADMIN, 'eu-west-1');
    const blob = (await replica.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('kept') })))
      .CiphertextBlob!;
    const shredKeysOf = async (region: string, type: string) =>
      (await ledgerGet(h, `/v1/keys/${keyId}/events`, { region })).json.events
        .filter((e: { type: string }) => e.type === type)
        .map((e: { data: { shredKeyId: string } }) => e.data.shredKeyId);
    const [replicaShredKey] = await shredKeysOf('eu-west-1', 'KeyMaterialArrived');
    const [primaryShredKey] = await shredKeysOf('us-east-1', 'KeyMaterialGenerated');
    expect(replicaShredKey).not.toBe(primaryShredKey);

    await replica.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    h.clock.advance(8 * DAY);
    expect((await h.scheduler().sweep()).deleted).toBe(1);
    expect(vault.has(replicaShredKey)).toBe(false);
    expect(vault.has(primaryShredKey)).toBe(true);
    const later = h.client(ADMIN, 'us-east-1');
    const opened = await later.send(new DecryptCommand({ CiphertextBlob: blob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('kept');
    const meta = (await later.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    expect(meta.MultiRegionConfiguration!.ReplicaKeys).toEqual([]);
  });
});
