import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand, NewBackingKey } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import { evolveKey, initialKeyState, keyStateOf, type KeyAggregate } from './key-state.js';
import type { BackingKeyArrival } from './multi-region-decider.js';
import { multiRegionKeyTypeOf } from './multi-region-state.js';
import { everyShredKeyId } from './shred-keys.js';

const KEY_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const arnIn = (region: string) => `arn:aws:kms:${region}:111122223333:key/${KEY_ID}`;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);
const material = (n: number): NewBackingKey => ({
  keyMaterialId: String(n).padStart(64, '0'),
  sealedMaterial: `sealed-${n}`,
  shredKeyId: `primary/${n}`,
});
const arrival = (n: number, current: boolean, region = 'eu-west-1'): BackingKeyArrival => ({
  keyMaterialId: String(n).padStart(64, '0'),
  sealedMaterial: `sealed-${n}-for-${region}`,
  shredKeyId: `${region}/${n}`,
  current,
  rotationDate: n === 1 ? null : days(n).toISOString(),
  rotationType: n === 1 ? null : 'ON_DEMAND',
});

const given = (...events: KeyEvent[]): KeyAggregate => events.reduce(evolveKey, initialKeyState());
const events = (decision: KeyEvent[] | DomainError): KeyEvent[] => {
  if (decision instanceof DomainError) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  return decision;
};
const refusal = (decision: KeyEvent[] | DomainError): DomainError => {
  if (!(decision instanceof DomainError)) throw new Error(`expected a refusal, got ${JSON.stringify(decision)}`);
  return decision;
};
const when = (state: KeyAggregate, command: KeyCommand) => decideKey(command, state);
const then = (state: KeyAggregate, command: KeyCommand) => {
  const decided = events(when(state, command));
  return { decided, state: decided.reduce(evolveKey, state) };
};

const primaryCreated = (): KeyEvent[] =>
  events(
    when(initialKeyState(), {
      type: 'CreateKey',
      keyId: KEY_ID,
      arn: arnIn('us-east-1'),
      accountId: '111122223333',
      region: 'us-east-1',
      description: 'primary',
      origin: 'AWS_KMS',
      tags: [],
      backingKey: material(1),
      multiRegion: true,
      now: T0,
    }),
  );
const replicate = (region: string): KeyCommand => ({
  type: 'ReplicateKey',
  replicaRegion: region,
  replicaArn: arnIn(region),
  now: days(1),
});
const createReplica = (region: string, arrivals: BackingKeyArrival[], origin: 'AWS_KMS' | 'EXTERNAL' = 'AWS_KMS') =>
  ({
    type: 'CreateReplica',
    keyId: KEY_ID,
    arn: arnIn(region),
    accountId: '111122223333',
    region,
    description: '',
    tags: [{ TagKey: 'team', TagValue: region }],
    primary: { region: 'us-east-1', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin },
    arrivals,
    now: days(1),
  }) satisfies KeyCommand;
const replicaOf = (region = 'eu-west-1', ...arrivals: BackingKeyArrival[]): KeyAggregate =>
  given(...events(when(initialKeyState(), createReplica(region, arrivals.length ? arrivals : [arrival(1, true)]))));

describe('multi-Region keys: primary', () => {
  it('CreateKey with MultiRegion makes a primary in its own region, with no replicas', () => {
    const created = primaryCreated();
    expect(created[0]).toMatchObject({ type: 'KeyCreated', data: { multiRegion: { primaryRegion: 'us-east-1' } } });
    const state = given(...created);
    expect(multiRegionKeyTypeOf(state)).toBe('PRIMARY');
    expect(state.multiRegion?.replicaRegions).toEqual([]);
  });

  it('a single-Region key has no multi-Region role and cannot be replicated', () => {
    const single = given({
      ...primaryCreated()[0]!,
      data: { ...primaryCreated()[0]!.data, multiRegion: undefined },
    } as KeyEvent);
    expect(multiRegionKeyTypeOf(single)).toBeUndefined();
    expect(refusal(when(single, replicate('eu-west-1'))).code).toBe('Unsupported');
  });

  it('ReplicateKey records the replica on the primary, and refuses a region that holds the key already', () => {
    const { decided, state } = then(given(...primaryCreated()), replicate('eu-west-1'));
    expect(decided).toEqual([
      { type: 'KeyReplicated', data: { replicaRegion: 'eu-west-1', replicatedAt: days(1).toISOString() } },
    ]);
    expect(state.multiRegion?.replicaRegions).toEqual(['eu-west-1']);
    const again = refusal(when(state, replicate('eu-west-1')));
    expect(again.code).toBe('AlreadyExists');
    expect(again.message).toBe(`Key '${arnIn('eu-west-1')}' already exists`);
    expect(refusal(when(state, replicate('us-east-1'))).code).toBe('AlreadyExists');
  });

  it('ReplicateKey is refused on a replica and on a primary pending deletion', () => {
    expect(refusal(when(replicaOf(), replicate('ap-south-1'))).code).toBe('Unsupported');
    const pending = then(given(...primaryCreated()), { type: 'ScheduleKeyDeletion', now: days(1) }).state;
    expect(refusal(when(pending, replicate('eu-west-1'))).code).toBe('InvalidState');
  });
});

describe('multi-Region keys: replicas and their backing keys', () => {
  it("a replica shares the primary's spec, usage, origin and backing keys, each sealed under its own shred key", () => {
    const replica = replicaOf('eu-west-1', arrival(1, false), arrival(2, true));
    expect(multiRegionKeyTypeOf(replica)).toBe('REPLICA');
    expect(replica.multiRegion?.primaryRegion).toBe('us-east-1');
    expect(keyStateOf(replica)).toBe('Enabled');
    expect(replica.currentKeyMaterialId).toBe(arrival(2, true).keyMaterialId);
    expect(replica.backingKeys.map((b) => [b.state, b.createdAt])).toEqual([
      ['NON_CURRENT', days(1).getTime()],
      ['CURRENT', days(1).getTime()],
    ]);
    // Deleting this replica destroys its own copies only: the primary's shred keys are not among them.
    expect(everyShredKeyId(replica)).toEqual(['eu-west-1/1', 'eu-west-1/2']);
    expect(replica.tags).toEqual([{ TagKey: 'team', TagValue: 'eu-west-1' }]);
  });

  it('a replica of an imported-material primary starts pending import', () => {
    const replica = given(...events(when(initialKeyState(), createReplica('eu-west-1', [], 'EXTERNAL'))));
    expect(keyStateOf(replica)).toBe('PendingImport');
  });

  it('CreateReplica is refused where the key exists', () => {
    expect(refusal(when(replicaOf(), createReplica('eu-west-1', []))).code).toBe('AlreadyExists');
  });

  it('a new backing key arrives in a replica when it was delivered, and becomes current there', () => {
    const replica = replicaOf();
    const { decided, state } = then(replica, {
      type: 'ReceiveBackingKeys',
      fromRegion: 'us-east-1',
      arrivals: [arrival(1, false), arrival(2, true)],
      now: days(40),
    });
    expect(decided.map((e) => e.type)).toEqual(['KeyMaterialArrived']);
    expect(decided[0]!.data).toMatchObject({
      keyMaterialId: arrival(2, true).keyMaterialId,
      arrivedAt: days(40).toISOString(),
    });
    expect(state.currentKeyMaterialId).toBe(arrival(2, true).keyMaterialId);
    expect(state.backingKeys.map((b) => b.state)).toEqual(['NON_CURRENT', 'CURRENT']);
    expect(state.backingKeys[1]!.createdAt).toBe(days(40).getTime());
    expect(state.backingKeys[1]!.rotationType).toBe('ON_DEMAND');
    expect(state.lastRotatedAt).toBe(days(2).getTime());
  });

  it('backing keys delivered to a primary, a single-Region key or a deleted replica record nothing', () => {
    const receive: KeyCommand = {
      type: 'ReceiveBackingKeys',
      fromRegion: 'x',
      arrivals: [arrival(2, true)],
      now: days(2),
    };
    expect(when(given(...primaryCreated()), receive)).toEqual([]);
    const deleted = evolveKey(replicaOf(), {
      type: 'KeyDeleted',
      data: { deletedAt: days(9).toISOString(), destroyedShredKeyIds: [] },
    });
    expect(when(deleted, receive)).toEqual([]);
  });

  it('rotation, automatic or on demand, is refused on a replica', () => {
    const replica = replicaOf();
    const onDemand = refusal(
      when(replica, { type: 'RotateKeyOnDemand', backingKey: material(3), maxOnDemandRotations: 10, now: days(2) }),
    );
    expect(onDemand.code).toBe('Unsupported');
    expect(onDemand.message).toContain('multi-Region replica key');
    expect(refusal(when(replica, { type: 'EnableKeyRotation', now: days(2) })).code).toBe('Unsupported');
    expect(refusal(when(replica, { type: 'DisableKeyRotation', now: days(2) })).code).toBe('Unsupported');
    // The primary rotates.
    expect(events(when(given(...primaryCreated()), { type: 'EnableKeyRotation', now: days(2) }))).toHaveLength(1);
  });

  it('a replica takes only the material imported into its primary', () => {
    const replica = given(...events(when(initialKeyState(), createReplica('eu-west-1', [], 'EXTERNAL'))), {
      type: 'KeyImportParametersIssued',
      data: {
        importTokenId: 't1',
        wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        wrappingKeySpec: 'RSA_2048',
        sealedPrivateKey: 's',
        shredKeyId: 'w1',
        publicKeySha256: 'h',
        issuedAt: days(1).toISOString(),
        validTo: days(2).toISOString(),
      },
    });
    const importing = (keyMaterialId: string, shared: string[]): KeyCommand => ({
      type: 'ImportKeyMaterial',
      importTokenId: 't1',
      keyMaterialId,
      sealedMaterial: 'm',
      shredKeyId: 'm1',
      expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      sharedKeyMaterialIds: shared,
      now: days(1),
    });
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    expect(refusal(when(replica, importing(b, [a]))).code).toBe('IncorrectKeyMaterial');
    expect(refusal(when(replica, importing(a, []))).message).toContain('primary key first');
    expect(events(when(replica, importing(a, [a])))[0]!.type).toBe('KeyMaterialImported');
  });
});

describe('multi-Region keys: deletion', () => {
  const withReplicas = (...regions: string[]) =>
    regions.reduce((state, region) => then(state, replicate(region)).state, given(...primaryCreated()));

  it('a primary with replicas waits in PendingReplicaDeletion, with no deletion date', () => {
    const { decided, state } = then(withReplicas('eu-west-1', 'ap-south-1'), {
      type: 'ScheduleKeyDeletion',
      pendingWindowInDays: 7,
      now: days(2),
    });
    expect(decided).toEqual([{ type: 'KeyDeletionAwaitingReplicas', data: { pendingWindowInDays: 7 } }]);
    expect(keyStateOf(state)).toBe('PendingReplicaDeletion');
    expect(state.deletionDate).toBeNull();
    expect(state.pendingWindowInDays).toBe(7);
    expect(refusal(when(state, { type: 'ScheduleKeyDeletion', now: days(2) })).code).toBe('InvalidState');
    expect(refusal(when(state, { type: 'EnableKey', now: days(2) })).code).toBe('InvalidState');
  });

  it('its waiting period begins when the last replica is deleted', () => {
    const pending = then(withReplicas('eu-west-1', 'ap-south-1'), {
      type: 'ScheduleKeyDeletion',
      pendingWindowInDays: 7,
      now: days(2),
    }).state;
    const first = then(pending, { type: 'ForgetReplica', replicaRegion: 'eu-west-1', now: days(10) });
    expect(first.decided.map((e) => e.type)).toEqual(['KeyReplicaDeleted']);
    expect(keyStateOf(first.state)).toBe('PendingReplicaDeletion');
    const last = then(first.state, { type: 'ForgetReplica', replicaRegion: 'ap-south-1', now: days(12) });
    expect(last.decided.map((e) => e.type)).toEqual(['KeyReplicaDeleted', 'KeyDeletionScheduled']);
    expect(keyStateOf(last.state)).toBe('PendingDeletion');
    expect(last.state.deletionDate).toBe(days(19).getTime());
    // Forgetting a replica it does not have records nothing.
    expect(when(last.state, { type: 'ForgetReplica', replicaRegion: 'eu-west-1', now: days(12) })).toEqual([]);
  });

  it('CancelKeyDeletion brings a primary back from PendingReplicaDeletion, disabled', () => {
    const pending = then(withReplicas('eu-west-1'), { type: 'ScheduleKeyDeletion', now: days(2) }).state;
    const { state } = then(pending, { type: 'CancelKeyDeletion', now: days(3) });
    expect(keyStateOf(state)).toBe('Disabled');
    const forgotten = then(state, { type: 'ForgetReplica', replicaRegion: 'eu-west-1', now: days(4) });
    expect(forgotten.decided.map((e) => e.type)).toEqual(['KeyReplicaDeleted']);
  });

  it('a primary without replicas is scheduled as any key', () => {
    const { decided } = then(given(...primaryCreated()), { type: 'ScheduleKeyDeletion', now: days(2) });
    expect(decided.map((e) => e.type)).toEqual(['KeyDeletionScheduled']);
  });
});

describe('multi-Region keys: UpdatePrimaryRegion', () => {
  const primary = () => {
    let state = then(given(...primaryCreated()), replicate('eu-west-1')).state;
    state = then(state, replicate('ap-south-1')).state;
    return then(state, { type: 'EnableKeyRotation', rotationPeriodInDays: 100, now: days(1) }).state;
  };
  const update = (newPrimary: KeyAggregate | undefined, region = 'eu-west-1'): KeyCommand => ({
    type: 'UpdatePrimaryRegion',
    primaryRegion: region,
    newPrimary,
    newPrimaryArn: arnIn(region),
    now: days(5),
  });

  it('moves the primary role, and every member records the move', () => {
    const { decided, state: oldPrimary } = then(primary(), update(replicaOf()));
    expect(decided).toHaveLength(1);
    const moved = decided[0]!;
    expect(moved).toMatchObject({
      type: 'KeyPrimaryRegionUpdated',
      data: {
        primaryRegion: 'eu-west-1',
        previousPrimaryRegion: 'us-east-1',
        replicaRegions: ['ap-south-1', 'us-east-1'],
        rotation: { enabled: true, periodInDays: 100, nextRotationDate: days(101).toISOString() },
      },
    });
    expect(multiRegionKeyTypeOf(oldPrimary)).toBe('REPLICA');
    expect(oldPrimary.rotationEnabled).toBe(false);
    expect(oldPrimary.nextRotationDate).toBeNull();

    const follow: KeyCommand = { type: 'FollowPrimaryRegion', update: moved.data as never, now: days(5) };
    const newPrimary = then(replicaOf(), follow).state;
    expect(multiRegionKeyTypeOf(newPrimary)).toBe('PRIMARY');
    expect(newPrimary.multiRegion?.replicaRegions).toEqual(['ap-south-1', 'us-east-1']);
    expect(newPrimary.rotationEnabled).toBe(true);
    expect(newPrimary.nextRotationDate).toBe(days(101).getTime());
    const other = then(replicaOf('ap-south-1'), follow).state;
    expect(other.multiRegion?.primaryRegion).toBe('eu-west-1');
    expect(multiRegionKeyTypeOf(other)).toBe('REPLICA');
  });

  it('is refused for a region without a replica, on a replica, or when either key is not enabled', () => {
    expect(refusal(when(primary(), update(undefined, 'sa-east-1'))).code).toBe('NotFound');
    expect(refusal(when(primary(), update(replicaOf(), 'us-east-1'))).code).toBe('Validation');
    expect(refusal(when(replicaOf(), update(replicaOf()))).code).toBe('Unsupported');
    const disabledReplica = evolveKey(replicaOf(), { type: 'KeyDisabled', data: {} });
    expect(refusal(when(primary(), update(disabledReplica))).code).toBe('Disabled');
    const disabledPrimary = evolveKey(primary(), { type: 'KeyDisabled', data: {} });
    expect(refusal(when(disabledPrimary, update(replicaOf()))).code).toBe('Disabled');
  });
});
