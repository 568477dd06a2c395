import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  UpdatePrimaryRegionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { decideKey, SCHEDULER_ACTOR, type KeyCommand, type KeyPrimaryRegionUpdated } from '@keyledger/ledger';
import { LedgerRepository } from '@keyledger/key-store';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refIn } from '../apps/keyledger/src/regions/request-region.js';
import { failure } from './support/failure.js';
import { ledgerGet } from './support/ledger-api-request.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const DAY = 86_400_000;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
// No periodic sweep: only the start-up one and those the tests start.
const ENV = { KEYLEDGER_REGIONS: REGIONS.join(','), KEYLEDGER_SCHEDULER_INTERVAL_MS: String(DAY) };
const REPAIRS = 'keyledger_multi_region_repairs_total{repair="primary_move_recorded"}';

interface RecordedEvent {
  type: string;
  data: Record<string, unknown>;
}

/**
 * UpdatePrimaryRegion is appended to the old primary's stream, then to the new primary's, then to every other
 * replica's. These tests make a crash in between for real: they append to some streams only, through the
 * server's own repository, then let the scheduler finish the move.
 */
describe('an UpdatePrimaryRegion cut short between regions is finished by the scheduler', () => {
  let h: Harness;
  let keyId: string;
  const kms = (region: string): KMSClient => h.client(ADMIN, region);
  const describeIn = async (region: string) =>
    (await kms(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
  const eventsOf = async (region: string): Promise<RecordedEvent[]> =>
    (await ledgerGet(h, `/v1/keys/${keyId}/events`, { region })).json.events;
  const repository = () => h.app.get(LedgerRepository);
  /** Decides and appends on one region's stream only, as a crash right after that append leaves it. */
  const appendOnlyTo = async (region: string, command: (now: Date) => KeyCommand) => {
    const outcome = await repository().decideOnKey(
      refIn(h.config, region, keyId),
      (state) => decideKey(command(h.clock.now()), state),
      { actor: SCHEDULER_ACTOR, requestId: randomUUID() },
    );
    return outcome.events as KeyPrimaryRegionUpdated[];
  };
  /** UpdatePrimaryRegion decided and recorded on the primary's stream only. */
  const moveRecordedOnlyBy = async (from: string, to: string) => {
    const newPrimary = (await repository().loadKey(refIn(h.config, to, keyId)))?.state;
    const arn = (await describeIn(to)).Arn!;
    const [moved] = await appendOnlyTo(from, (now) => ({
      type: 'UpdatePrimaryRegion',
      primaryRegion: to,
      newPrimary,
      newPrimaryArn: arn,
      now,
    }));
    expect(moved).toMatchObject({ type: 'KeyPrimaryRegionUpdated' });
    return moved!;
  };
  /** Every region's DescribeKey, as the AWS SDK reads it: the role, the primary's region, the replicas'. */
  const configurations = async () =>
    Promise.all(
      REGIONS.map(async (region) => {
        const config = (await describeIn(region)).MultiRegionConfiguration!;
        return {
          region,
          type: config.MultiRegionKeyType,
          primary: config.PrimaryKey!.Region,
          replicas: config.ReplicaKeys!.map((r) => r.Region).sort(),
        };
      }),
    );
  const consistent = (primary: string) =>
    REGIONS.map((region) => ({
      region,
      type: region === primary ? 'PRIMARY' : 'REPLICA',
      primary,
      replicas: REGIONS.filter((r) => r !== primary).sort(),
    }));
  const scrape = async (): Promise<number | undefined> => {
    const line = (await ledgerGet(h, '/metrics')).text.split('\n').find((l) => l.startsWith(`${REPAIRS} `));
    return line === undefined ? undefined : Number(line.slice(REPAIRS.length + 1));
  };

  beforeAll(async () => {
    h = await startKeyledger({ env: ENV });
    keyId = (await kms('us-east-1').send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    for (const region of ['eu-west-1', 'ap-southeast-2'])
      await kms('us-east-1').send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: region }));
  });
  afterAll(async () => {
    await h.stop();
    rmSync(h.dataDir, { recursive: true, force: true });
  });

  it('recorded by the old primary only, no member is the primary; a restart moves the role forward', async () => {
    h.clock.advance(60_000);
    const moved = await moveRecordedOnlyBy('us-east-1', 'eu-west-1');
    // The window, as a user meets it: each names another as primary, and neither will move the role or rotate.
    expect((await describeIn('us-east-1')).MultiRegionConfiguration).toMatchObject({
      MultiRegionKeyType: 'REPLICA',
      PrimaryKey: { Region: 'eu-west-1' },
    });
    expect((await describeIn('eu-west-1')).MultiRegionConfiguration).toMatchObject({
      MultiRegionKeyType: 'REPLICA',
      PrimaryKey: { Region: 'us-east-1' },
    });
    for (const [region, to] of [
      ['us-east-1', 'eu-west-1'],
      ['eu-west-1', 'us-east-1'],
    ] as const)
      expect(
        await failure(kms(region).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: to }))),
      ).toMatchObject({ name: 'UnsupportedOperationException' });
    const before = Object.fromEntries(await Promise.all(REGIONS.map(async (r) => [r, (await eventsOf(r)).length])));

    await h.stop();
    h.clock.advance(60_000);
    h = await startKeyledger({ dataDir: h.dataDir, clock: h.clock, env: ENV });

    expect(await configurations()).toEqual(consistent('eu-west-1'));
    // The very move the old primary decided, chained once on each stream that lacked it; nothing on its own.
    for (const region of ['eu-west-1', 'ap-southeast-2'])
      expect((await eventsOf(region)).slice(before[region])).toEqual([
        expect.objectContaining({ type: 'KeyPrimaryRegionUpdated', data: moved.data }),
      ]);
    expect(await eventsOf('us-east-1')).toHaveLength(before['us-east-1']);
    expect(await scrape()).toBe(2);

    // The new primary rotates, and the old one, now a replica, receives the backing key.
    const rotated = await kms('eu-west-1').send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    expect(rotated.KeyId).toBe((await describeIn('eu-west-1')).Arn);
    expect(await failure(kms('us-east-1').send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).toMatchObject({
      name: 'UnsupportedOperationException',
    });
    const current = (await describeIn('eu-west-1')).CurrentKeyMaterialId!;
    const rotations = await kms('us-east-1').send(new ListKeyRotationsCommand({ KeyId: keyId }));
    expect(rotations.Rotations!.map((r) => r.KeyMaterialId)).toContain(current);

    const counts = await Promise.all(REGIONS.map(async (r) => (await eventsOf(r)).length));
    expect(await h.scheduler().sweep()).toMatchObject({ repaired: 0, repairs: { primaryMovesRecorded: 0 } });
    expect(await Promise.all(REGIONS.map(async (r) => (await eventsOf(r)).length))).toEqual(counts);
    expect(await scrape()).toBe(2);
    expect((await ledgerGet(h, '/v1/audit/verify')).json).toMatchObject({ ok: true });
  });

  it('recorded by the old and the new primary, the replica left behind follows on the next sweep', async () => {
    h.clock.advance(60_000);
    const moved = await moveRecordedOnlyBy('eu-west-1', 'ap-southeast-2');
    await appendOnlyTo('ap-southeast-2', (now) => ({ type: 'FollowPrimaryRegion', update: moved.data, now }));
    // us-east-1 still names eu-west-1, which is no longer the primary.
    expect((await describeIn('us-east-1')).MultiRegionConfiguration!.PrimaryKey!.Region).toBe('eu-west-1');
    expect((await describeIn('ap-southeast-2')).MultiRegionConfiguration!.MultiRegionKeyType).toBe('PRIMARY');
    const behind = (await eventsOf('us-east-1')).length;

    expect(await h.scheduler().sweep()).toMatchObject({ repaired: 1, repairs: { primaryMovesRecorded: 1 } });
    expect(await configurations()).toEqual(consistent('ap-southeast-2'));
    expect((await eventsOf('us-east-1')).slice(behind)).toEqual([
      expect.objectContaining({ type: 'KeyPrimaryRegionUpdated', data: moved.data }),
    ]);
    expect(await scrape()).toBe(3);

    // A ciphertext of the new primary opens in the member that was behind.
    const blob = (await kms('ap-southeast-2').send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })))
      .CiphertextBlob!;
    const opened = await kms('us-east-1').send(new DecryptCommand({ CiphertextBlob: blob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('x');

    expect(await h.scheduler().sweep()).toMatchObject({ repaired: 0 });
    expect(await eventsOf('us-east-1')).toHaveLength(behind + 1);
    expect(await scrape()).toBe(3);
    expect((await ledgerGet(h, '/v1/audit/verify')).json).toMatchObject({ ok: true });
  });
});
