import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { decideKey, keyArnOf, SCHEDULER_ACTOR, type KeyCommand } from '@keyledger/ledger';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { EventBus } from '@nestjs/cqrs';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackingKeys } from '../apps/keyledger/src/cryptography/backing-keys.js';
import { SHRED_VAULT } from '../apps/keyledger/src/infrastructure/tokens.js';
import { LedgerRepository } from '@keyledger/key-store';
import { LedgerEventRecorded } from '../apps/keyledger/src/reactions/ledger-event-recorded.js';
import { refIn } from '../apps/keyledger/src/regions/request-region.js';
import { failure } from './support/failure.js';
import { ledgerGet } from './support/ledger-api-request.js';
import { metricSample } from './support/metric-sample.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const DAY = 86_400_000;
// No periodic sweep while a test holds a window open: only the sweeps the tests start (and the start-up one).
const ENV = { KEYLEDGER_REGIONS: 'us-east-1,eu-west-1,ap-southeast-2', KEYLEDGER_SCHEDULER_INTERVAL_MS: String(DAY) };
const repairs = (repair: string) => `keyledger_multi_region_repairs_total{repair="${repair}"}`;

/**
 * A multi-Region change is appended to the primary's stream, then to each replica's. These tests make the
 * crash between the two for real: they append to one stream only, through the server's own repository (the
 * path every command takes, without what follows it), then let the server finish the write.
 */
describe('multi-Region writes cut short between regions are finished by the start-up sweep', () => {
  let h: Harness;
  let keyId: string;
  const kms = (region: string): KMSClient => h.client(ADMIN, region);
  const describeIn = async (region: string) =>
    (await kms(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
  const eventsOf = async (region: string): Promise<Array<{ type: string }>> =>
    (await ledgerGet(h, `/v1/keys/${keyId}/events`, { region })).json.events;
  /** Decides and appends on one region's stream only, as a crash right after that append leaves it. */
  const appendOnlyTo = (region: string, command: (now: Date) => KeyCommand) =>
    h.app
      .get(LedgerRepository)
      .decideOnKey(refIn(h.config, region, keyId), (state) => decideKey(command(h.clock.now()), state), {
        actor: SCHEDULER_ACTOR,
        requestId: randomUUID(),
      });

  beforeAll(async () => {
    h = await startKeyledger({ env: ENV });
    keyId = (await kms('us-east-1').send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    await kms('us-east-1').send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }));
  });
  afterAll(async () => {
    await h.stop();
    rmSync(h.dataDir, { recursive: true, force: true });
  });

  it('a rotation recorded on the primary only leaves the replica short; a restart delivers the backing key', async () => {
    h.clock.advance(60_000);
    const backingKey = h.app.get(BackingKeys).generate(keyId);
    await appendOnlyTo('us-east-1', (now) => ({
      type: 'RotateKeyOnDemand',
      arn: keyArnOf({ region: 'us-east-1', accountId: h.config.accountId }, keyId),
      backingKey,
      maxOnDemandRotations: 10,
      now,
    }));
    const rotatedTo = (await describeIn('us-east-1')).CurrentKeyMaterialId!;
    expect((await describeIn('eu-west-1')).CurrentKeyMaterialId).not.toBe(rotatedTo);
    const blob = (await kms('us-east-1').send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('after') })))
      .CiphertextBlob!;
    // The window, as a user meets it: the replica cannot open what the primary now makes.
    expect(await failure(kms('eu-west-1').send(new DecryptCommand({ CiphertextBlob: blob })))).toBeDefined();
    const before = (await eventsOf('eu-west-1')).length;

    await h.stop();
    h.clock.advance(60_000);
    h = await startKeyledger({ dataDir: h.dataDir, clock: h.clock, env: ENV });

    const replica = await describeIn('eu-west-1');
    expect(replica.CurrentKeyMaterialId).toBe(rotatedTo);
    const opened = await kms('eu-west-1').send(new DecryptCommand({ CiphertextBlob: blob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('after');
    const rotations = async (region: string) =>
      (await kms(region).send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations!.map((r) => r.KeyMaterialId);
    expect(await rotations('eu-west-1')).toEqual(await rotations('us-east-1'));
    // The same fact normal delivery records, chained on the replica's stream, once.
    const after = await eventsOf('eu-west-1');
    expect(after.slice(before)).toMatchObject([
      { type: 'KeyMaterialArrived', data: { keyMaterialId: rotatedTo, current: true, fromRegion: 'us-east-1' } },
    ]);
    // Counted by what was repaired, in the restarted server's own metrics; a second sweep counts nothing more.
    expect(await metricSample(h, repairs('backing_keys_delivered'))).toBe(1);
    expect(await h.scheduler().sweep()).toMatchObject({ repaired: 0 });
    expect(await eventsOf('eu-west-1')).toHaveLength(after.length);
    expect(await metricSample(h, repairs('backing_keys_delivered'))).toBe(1);
    expect(await metricSample(h, repairs('replica_forgotten'))).toBeUndefined();
    expect((await ledgerGet(h, '/v1/audit/verify')).json).toMatchObject({ ok: true });
  });

  it("a replica's deletion recorded on its own stream only is learnt by the primary; the region takes a replica again", async () => {
    // The scheduler's wake-up reads the scheduling when the subscription delivers it: it must do so before the
    // clock moves past the deletion date, or it would complete the deletion itself, without a crash window.
    const delivered = firstValueFrom(
      h.app
        .get(EventBus)
        .pipe(filter((e) => e instanceof LedgerEventRecorded && e.event.type === 'KeyDeletionScheduled')),
    );
    await kms('eu-west-1').send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await delivered;
    h.clock.advance(8 * DAY);
    const deleted = await appendOnlyTo('eu-west-1', (now) => ({ type: 'CompleteKeyDeletionIfDue', now }));
    expect(deleted.events.map((e) => e.type)).toEqual(['KeyDeleted']);
    const listed = async () => (await describeIn('us-east-1')).MultiRegionConfiguration!.ReplicaKeys!;
    expect((await listed()).map((r) => r.Region)).toEqual(['eu-west-1']);
    expect(
      await failure(kms('us-east-1').send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }))),
    ).toMatchObject({ name: 'AlreadyExistsException' });

    const vault = h.app.get<symbol, { has(id: string): boolean }>(SHRED_VAULT);
    const { destroyedShredKeyIds } = deleted.events[0]!.data as { destroyedShredKeyIds: string[] };
    expect(destroyedShredKeyIds.some((id) => vault.has(id))).toBe(true);

    expect(await h.scheduler().sweep()).toMatchObject({ repaired: 1, repairs: { replicasForgotten: 1 } });
    expect(await listed()).toEqual([]);
    expect(await metricSample(h, repairs('replica_forgotten'))).toBe(1);
    // What the crash also left behind: the deleted replica's shred keys, destroyed by the same sweep.
    expect(destroyedShredKeyIds.some((id) => vault.has(id))).toBe(false);
    expect(await h.scheduler().sweep()).toMatchObject({ repaired: 0 });
    const again = await kms('us-east-1').send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }));
    expect(again.ReplicaKeyMetadata!.KeyState).toBe('Enabled');
  });

  it('a replica made while its primary never recorded it (ReplicateKey cut short) is recorded and given every backing key', async () => {
    const region = 'ap-southeast-2';
    // The replica's stream as a crash right after its KeyCreated leaves it: no backing key copied yet.
    await appendOnlyTo(region, (now) => ({
      type: 'CreateReplica',
      keyId,
      arn: keyArnOf({ region, accountId: h.config.accountId }, keyId),
      accountId: h.config.accountId,
      region,
      description: 'cut short',
      tags: [],
      primary: { region: 'us-east-1', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS' },
      arrivals: [],
      now,
    }));
    const regions = async () =>
      (await describeIn('us-east-1')).MultiRegionConfiguration!.ReplicaKeys!.map((r) => r.Region).sort();
    expect(await regions()).toEqual(['eu-west-1']);
    expect((await describeIn(region)).CurrentKeyMaterialId).toBeUndefined();

    expect(await h.scheduler().sweep()).toMatchObject({
      repaired: 1,
      repairs: { replicasRecorded: 1, replicasDelivered: 1 },
    });
    expect(await regions()).toEqual(['ap-southeast-2', 'eu-west-1']);
    expect(await metricSample(h, repairs('replica_recorded'))).toBe(1);
    expect(await metricSample(h, repairs('backing_keys_delivered'))).toBe(2);
    expect((await describeIn(region)).CurrentKeyMaterialId).toBe((await describeIn('us-east-1')).CurrentKeyMaterialId);
    const blob = (await kms('us-east-1').send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('found') })))
      .CiphertextBlob!;
    const opened = await kms(region).send(new DecryptCommand({ CiphertextBlob: blob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('found');
    expect(await h.scheduler().sweep()).toMatchObject({ repaired: 0 });
  });
});
