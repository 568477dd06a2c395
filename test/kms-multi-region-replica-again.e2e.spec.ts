import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { ledgerGet } from './support/ledger-api-request.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const DAY = 86_400_000;

describe('a deleted multi-Region replica is made again by replicating the primary into its region', () => {
  let h: Harness;
  let primary: KMSClient;
  const replica = () => h.client(ADMIN, 'eu-west-1');
  let keyId: string;
  let blob: Uint8Array;

  beforeAll(async () => {
    h = await startKeyledger({ env: { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1' } });
    primary = h.client(ADMIN, 'us-east-1');
    keyId = (await primary.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    await primary.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1', Description: 'first' }));
    blob = (await replica().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('made by the first') })))
      .CiphertextBlob!;
  });
  afterAll(() => h.close());

  it('while the replica waits for deletion, ReplicateKey into its region is refused as AlreadyExists', async () => {
    await replica().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    const refused = await failure(primary.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' })));
    expect(refused).toMatchObject({
      name: 'AlreadyExistsException',
      message: `Key 'arn:aws:kms:eu-west-1:111122223333:key/${keyId}' already exists`,
    });
  });

  it('once its deletion completed, ReplicateKey makes a new replica with every backing key of the primary', async () => {
    h.clock.advance(8 * DAY);
    expect((await h.scheduler().sweep()).deleted).toBe(1);
    primary = h.client(ADMIN, 'us-east-1');
    expect(await failure(replica().send(new DescribeKeyCommand({ KeyId: keyId })))).toMatchObject({
      name: 'NotFoundException',
    });
    h.clock.advance(60_000);
    // A rotation while there is no replica: the new one must get both backing keys.
    await primary.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));

    const made = await primary.send(
      new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1', Description: 'second' }),
    );
    expect(made.ReplicaKeyMetadata).toMatchObject({
      KeyId: keyId,
      Arn: `arn:aws:kms:eu-west-1:111122223333:key/${keyId}`,
      Description: 'second',
      KeyState: 'Enabled',
      MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA', PrimaryKey: { Region: 'us-east-1' } },
    });
    expect(made.ReplicaKeyMetadata!.CreationDate!.getTime()).toBe(h.clock.now().getTime());
    const listed = (await primary.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    expect(listed.MultiRegionConfiguration!.ReplicaKeys!.map((r) => r.Region)).toEqual(['eu-west-1']);

    const rotations = async (client: KMSClient) =>
      (await client.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations!.map((r) => r.KeyMaterialId);
    expect(await rotations(replica())).toEqual(await rotations(primary));
    const current = async (client: KMSClient) =>
      (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.CurrentKeyMaterialId;
    expect(await current(replica())).toBe(await current(primary));
  });

  it('the new replica decrypts what the deleted one made, and what the primary makes', async () => {
    const opened = await replica().send(new DecryptCommand({ CiphertextBlob: blob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('made by the first');
    const fresh = (await primary.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('new') })))
      .CiphertextBlob!;
    expect(
      Buffer.from((await replica().send(new DecryptCommand({ CiphertextBlob: fresh }))).Plaintext!).toString(),
    ).toBe('new');
  });

  it("one stream holds both replicas' lives, chained: the ledger verifies, and answers as of either", async () => {
    const { events } = (await ledgerGet(h, `/v1/keys/${keyId}/events`, { region: 'eu-west-1' })).json;
    const types = events.map((e: { type: string }) => e.type);
    expect(types.slice(0, 2)).toEqual(['KeyCreated', 'KeyMaterialArrived']);
    const deleted = types.indexOf('KeyDeleted');
    expect(deleted).toBeGreaterThan(0);
    expect(types.slice(deleted + 1, deleted + 2)).toEqual(['KeyCreated']);
    expect(types.filter((t: string) => t === 'KeyMaterialArrived')).toHaveLength(3);
    expect((await ledgerGet(h, '/v1/audit/verify')).json).toMatchObject({ ok: true });

    const view = (asOf: string) =>
      ledgerGet(h, `/v1/keys/${keyId}/replication`, { asOf }).then((r) => r.json.members[1]);
    const whileDeleted: string = events[deleted].time;
    const during = await view(new Date(Date.parse(whileDeleted) + 1).toISOString());
    expect(during).toMatchObject({ region: 'eu-west-1', keyState: 'Deleted' });
    expect(during.backingKeys.every((b: { hasMaterial: boolean }) => !b.hasMaterial)).toBe(true);
    const now = await view(h.clock.now().toISOString());
    expect(now).toMatchObject({ region: 'eu-west-1', keyState: 'Enabled', deletedAt: null });
    expect(now.backingKeys).toHaveLength(2);
    expect(now.backingKeys.every((b: { hasMaterial: boolean }) => b.hasMaterial)).toBe(true);
  });
});
