import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import { evolveKeyAccess, initialKeyAccess } from './key-access-state.js';
import { evolveKey, initialKeyState, keyStateOf, type KeyAggregate } from './key-state.js';
import type { BackingKeyArrival } from './multi-region-decider.js';
import { multiRegionKeyTypeOf } from './multi-region-state.js';
import { deadShredKeyIds, everyShredKeyId, liveShredKeyIds } from './shred-keys.js';

// A replica whose deletion completed is made again on the same stream, as AWS lets a deleted replica be
// re-created by replicating the primary into its region once more.

const KEY_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const arnIn = (region: string) => `arn:aws:kms:${region}:111122223333:key/${KEY_ID}`;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const days = (n: number) => new Date(T0 + n * 86_400_000);
const arrival = (n: number, current: boolean, copy: string): BackingKeyArrival => ({
  keyMaterialId: String(n).padStart(64, '0'),
  sealedMaterial: `sealed-${n}-${copy}`,
  shredKeyId: `eu-west-1/${n}/${copy}`,
  current,
  rotationDate: null,
  rotationType: null,
});
const createReplica = (arrivals: BackingKeyArrival[], at: Date): KeyCommand => ({
  type: 'CreateReplica',
  keyId: KEY_ID,
  arn: arnIn('eu-west-1'),
  accountId: '111122223333',
  region: 'eu-west-1',
  description: `made ${at.toISOString()}`,
  tags: [],
  primary: { region: 'us-east-1', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS' },
  arrivals,
  now: at,
});

const decided = (decision: KeyEvent[] | DomainError): KeyEvent[] => {
  if (decision instanceof DomainError) throw new Error(`expected events, got ${decision.code}: ${decision.message}`);
  return decision;
};
const code = (decision: KeyEvent[] | DomainError) => (decision instanceof DomainError ? decision.code : 'events');
/** Decides and folds each command in turn: the stream's events and the state they make. */
function stream(...commands: KeyCommand[]): { events: KeyEvent[]; state: KeyAggregate } {
  const events: KeyEvent[] = [];
  let state = initialKeyState();
  for (const command of commands) {
    const made = decided(decideKey(command, state));
    events.push(...made);
    state = made.reduce(evolveKey, state);
  }
  return { events, state };
}

const firstReplica = createReplica([arrival(1, true, 'first')], days(1));
const scheduled: KeyCommand = { type: 'ScheduleKeyDeletion', pendingWindowInDays: 7, now: days(2) };
const completed: KeyCommand = { type: 'CompleteKeyDeletionIfDue', now: days(10) };
const secondReplica = createReplica([arrival(1, false, 'second'), arrival(2, true, 'second')], days(20));

describe('a multi-Region replica made again after its deletion', () => {
  it('given a replica whose deletion completed, CreateReplica starts a new replica on the same stream', () => {
    const { events, state } = stream(firstReplica, scheduled, completed, secondReplica);
    expect(events.map((e) => e.type)).toEqual([
      'KeyCreated',
      'KeyMaterialArrived',
      'KeyDeletionScheduled',
      'KeyDeleted',
      'KeyCreated',
      'KeyMaterialArrived',
      'KeyMaterialArrived',
    ]);
    expect(multiRegionKeyTypeOf(state)).toBe('REPLICA');
    expect(keyStateOf(state)).toBe('Enabled');
    expect(state.deleted).toBe(false);
    expect(state.deletedAt).toBeNull();
    expect(state.deletionDate).toBeNull();
    expect(state.createdAt).toBe(days(20).getTime());
    expect(state.description).toBe(`made ${days(20).toISOString()}`);
    // The old replica's backing keys are not the new one's: the same KeyMaterialId arrived again, copied anew.
    expect(state.backingKeys.map((b) => [b.keyMaterialId, b.shredKeyId, b.state, b.createdAt])).toEqual([
      [arrival(1, false, 'second').keyMaterialId, 'eu-west-1/1/second', 'NON_CURRENT', days(20).getTime()],
      [arrival(2, true, 'second').keyMaterialId, 'eu-west-1/2/second', 'CURRENT', days(20).getTime()],
    ]);
    expect(state.currentKeyMaterialId).toBe(arrival(2, true, 'second').keyMaterialId);
  });

  it("the deleted replica's shred keys stay accounted for as dead, and only the new copies are live", () => {
    const { state } = stream(firstReplica, scheduled, completed, secondReplica);
    expect(everyShredKeyId(state).sort()).toEqual(['eu-west-1/1/first', 'eu-west-1/1/second', 'eu-west-1/2/second']);
    expect(deadShredKeyIds(state)).toEqual(['eu-west-1/1/first']);
    expect([...liveShredKeyIds(state)].sort()).toEqual(['eu-west-1/1/second', 'eu-west-1/2/second']);
  });

  it('the new replica takes every backing key again, the ones its deleted predecessor held among them', () => {
    const { state } = stream(firstReplica, scheduled, completed, createReplica([], days(20)));
    const receive: KeyCommand = {
      type: 'ReceiveBackingKeys',
      fromRegion: 'us-east-1',
      arrivals: [arrival(1, true, 'again')],
      now: days(21),
    };
    expect(decided(decideKey(receive, state)).map((e) => e.data)).toMatchObject([
      { keyMaterialId: arrival(1, true, 'again').keyMaterialId, arrivedAt: days(21).toISOString() },
    ]);
  });

  it('a replica that exists, even pending deletion, is not made again', () => {
    expect(code(decideKey(secondReplica, stream(firstReplica).state))).toBe('AlreadyExists');
    expect(code(decideKey(secondReplica, stream(firstReplica, scheduled).state))).toBe('AlreadyExists');
  });

  it('a deleted single-Region key is not replaced by a replica', () => {
    const single = stream(
      {
        type: 'CreateKey',
        keyId: KEY_ID,
        arn: arnIn('eu-west-1'),
        accountId: '111122223333',
        region: 'eu-west-1',
        description: '',
        origin: 'AWS_KMS',
        tags: [],
        backingKey: { keyMaterialId: '9'.repeat(64), sealedMaterial: 's', shredKeyId: 'single' },
        now: days(1),
      },
      scheduled,
      completed,
    ).state;
    expect(single.deleted).toBe(true);
    expect(code(decideKey(secondReplica, single))).toBe('AlreadyExists');
  });

  it("the new replica's access starts afresh: the default policy, no grants of the deleted one", () => {
    const created = (at: Date): KeyEvent => stream(createReplica([], at)).events[0]!;
    const access = [
      created(days(1)),
      {
        type: 'KeyPolicyChanged',
        data: {
          policyName: 'default',
          policy: '{"Statement":[]}',
          bypassPolicyLockoutSafetyCheck: true,
          changedAt: days(1).toISOString(),
        },
      },
      { type: 'KeyDeleted', data: { deletedAt: days(10).toISOString(), destroyedShredKeyIds: [] } },
      created(days(20)),
    ].reduce((a, e) => evolveKeyAccess(a, e as KeyEvent), initialKeyAccess());
    expect(access.exists).toBe(true);
    expect(access.policyText).toContain('arn:aws:iam::111122223333:root');
    expect(access.policyChangedAt).toBeNull();
    expect(access.bypassedLockoutCheck).toBe(false);
    expect(access.grants).toEqual([]);
  });
});

describe('the primary, once its replica is gone, replicates into that region again', () => {
  const primary = (): KeyAggregate =>
    stream({
      type: 'CreateKey',
      keyId: KEY_ID,
      arn: arnIn('us-east-1'),
      accountId: '111122223333',
      region: 'us-east-1',
      description: '',
      origin: 'AWS_KMS',
      tags: [],
      backingKey: { keyMaterialId: '1'.repeat(64), sealedMaterial: 's', shredKeyId: 'p1' },
      multiRegion: true,
      now: days(0),
    }).state;
  const replicate: KeyCommand = {
    type: 'ReplicateKey',
    replicaRegion: 'eu-west-1',
    replicaArn: arnIn('eu-west-1'),
    now: days(20),
  };

  it('refuses while the replica is listed, accepts once its deletion was recorded', () => {
    const withReplica = decided(decideKey({ ...replicate, now: days(1) }, primary())).reduce(evolveKey, primary());
    expect(code(decideKey(replicate, withReplica))).toBe('AlreadyExists');
    const forgot = decided(
      decideKey({ type: 'ForgetReplica', replicaRegion: 'eu-west-1', now: days(10) }, withReplica),
    ).reduce(evolveKey, withReplica);
    const again = decided(decideKey(replicate, forgot));
    expect(again).toEqual([
      { type: 'KeyReplicated', data: { replicaRegion: 'eu-west-1', replicatedAt: days(20).toISOString() } },
    ]);
    expect(again.reduce(evolveKey, forgot).multiRegion?.replicaRegions).toEqual(['eu-west-1']);
  });
});
