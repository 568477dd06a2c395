import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';
import type { KeyPrimaryRegionUpdated } from './multi-region-events.js';
import { memberRegionsNamedBy, primaryMoveToFinish, type PrimaryMove } from './multi-region-primary-move.js';
import { multiRegionKeyTypeOf } from './multi-region-state.js';
import { given, memberCreated } from '../testing/key-fixtures.js';

// An UpdatePrimaryRegion is appended to the old primary's stream, then the new primary's, then every other
// replica's. These specs make each crash in between from the decider's own events, and ask which member is
// the primary and what each member still has to record.

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const created = (region: string, primaryRegion: string | null) => memberCreated(region, primaryRegion);
const replicated = (region: string): KeyEvent => ({
  type: 'KeyReplicated',
  data: { replicaRegion: region, replicatedAt: at(1).toISOString() },
});
const record = (member: KeyAggregate, move: PrimaryMove): KeyAggregate =>
  evolveKey(member, { type: 'KeyPrimaryRegionUpdated', data: move });
const deleted = (member: KeyAggregate): KeyAggregate =>
  evolveKey(member, { type: 'KeyDeleted', data: { deletedAt: at(99).toISOString(), destroyedShredKeyIds: [] } });

/** The move the primary decides, as UpdatePrimaryRegion records it on its own stream. */
function decideMove(primary: KeyAggregate, newPrimary: KeyAggregate, minutes: number): PrimaryMove {
  const decided = decideKey(
    {
      type: 'UpdatePrimaryRegion',
      primaryRegion: newPrimary.region,
      newPrimary,
      newPrimaryArn: newPrimary.arn,
      now: at(minutes),
    },
    primary,
  );
  if (decided instanceof DomainError) throw decided;
  return (decided[0] as KeyPrimaryRegionUpdated).data;
}

/** us-east-1 primary with replicas in eu-west-1 and ap-south-1, and its move to eu-west-1 at minute 10. */
function movedOnce() {
  const us = given(created('us-east-1', 'us-east-1'), replicated('eu-west-1'), replicated('ap-south-1'));
  const eu = given(created('eu-west-1', 'us-east-1'));
  const ap = given(created('ap-south-1', 'us-east-1'));
  return { us, eu, ap, move: decideMove(us, eu, 10) };
}

describe('primaryMoveToFinish: which member is the primary, and who has still to record the move', () => {
  it('given no member recorded a move, when asked, then nothing is to finish', () => {
    const { us, eu, ap } = movedOnce();
    expect(primaryMoveToFinish([us, eu, ap])).toBeUndefined();
  });

  it('given the move recorded on the old primary only, then the new primary records it first, then the others', () => {
    const { us, eu, ap, move } = movedOnce();
    const oldPrimary = record(us, move);
    // The window: no member is the primary, each names another.
    expect([oldPrimary, eu, ap].map(multiRegionKeyTypeOf)).toEqual(['REPLICA', 'REPLICA', 'REPLICA']);
    // The members in any order: the new primary comes first.
    expect(primaryMoveToFinish([ap, oldPrimary, eu])).toEqual({ move, followers: ['eu-west-1', 'ap-south-1'] });
    expect(primaryMoveToFinish([oldPrimary, ap, eu])).toEqual({ move, followers: ['eu-west-1', 'ap-south-1'] });
  });

  it('given the move recorded on the old and the new primary, then only the replica left behind records it', () => {
    const { us, eu, ap, move } = movedOnce();
    expect(primaryMoveToFinish([record(us, move), record(eu, move), ap])).toEqual({ move, followers: ['ap-south-1'] });
  });

  it('given the followers record the move, then every member names one primary and nothing is left', () => {
    const { us, eu, ap, move } = movedOnce();
    const finish = primaryMoveToFinish([record(us, move), eu, ap])!;
    const after = [record(us, move), record(eu, finish.move), record(ap, finish.move)];
    expect(after.map(multiRegionKeyTypeOf)).toEqual(['REPLICA', 'PRIMARY', 'REPLICA']);
    expect(after[1]!.multiRegion!.replicaRegions).toEqual(['ap-south-1', 'us-east-1']);
    expect(primaryMoveToFinish(after)).toBeUndefined();
  });

  it('given two moves, the later one wins whatever the order of the members', () => {
    const { us, eu, ap, move: first } = movedOnce();
    const newPrimary = record(eu, first);
    const second = decideMove(newPrimary, record(ap, first), 20);
    // eu-west-1 moved the role on to ap-south-1 and crashed: us-east-1 heard of the first move only.
    const members = [record(us, first), record(newPrimary, second), ap];
    expect(primaryMoveToFinish(members)).toEqual({ move: second, followers: ['ap-south-1', 'us-east-1'] });
    expect(primaryMoveToFinish([...members].reverse())).toEqual({
      move: second,
      followers: ['ap-south-1', 'us-east-1'],
    });
  });

  it('given a move and the move back, the later wins by time though each names the other as its primary', () => {
    const { us, eu, ap, move: first } = movedOnce();
    const back = decideMove(record(eu, first), record(us, first), 20);
    // eu-west-1 gave the role back and crashed: us-east-1 and ap-southeast-2 heard of the first move only.
    const members = [record(us, first), record(eu, back), record(ap, first)];
    expect(primaryMoveToFinish(members)).toEqual({ move: back, followers: ['us-east-1', 'ap-south-1'] });
    expect(primaryMoveToFinish([...members].reverse())).toEqual({
      move: back,
      followers: ['us-east-1', 'ap-south-1'],
    });
  });

  it('given three moves, the latest wins by time though it does not follow the one it is compared with', () => {
    const { us, eu, ap, move: first } = movedOnce();
    const second = decideMove(record(eu, first), record(ap, first), 20);
    const third = decideMove(record(record(ap, first), second), record(us, first), 30);
    // us-east-1 missed the second move, eu-west-1 the third, which ap-south-1 decided before crashing.
    const members = [
      record(us, first),
      record(record(record(ap, first), second), third),
      record(record(eu, first), second),
    ];
    expect(primaryMoveToFinish(members)).toEqual({ move: third, followers: ['us-east-1', 'eu-west-1'] });
  });

  it('given two moves in one millisecond, the one decided by the primary the other made is the later', () => {
    const { us, eu, ap, move: first } = movedOnce();
    const second = decideMove(record(eu, first), record(ap, first), 10);
    expect(second.updatedAt).toBe(first.updatedAt);
    const expected = { move: second, followers: ['ap-south-1', 'us-east-1'] };
    expect(primaryMoveToFinish([record(us, first), record(eu, second), ap])).toEqual(expected);
    expect(primaryMoveToFinish([record(eu, second), record(us, first), ap])).toEqual(expected);
  });

  it('given a member that names the right primary but missed the moves since, then it is left alone', () => {
    const { us, eu, ap, move: first } = movedOnce();
    const second = decideMove(record(eu, first), record(ap, first), 20);
    const back = decideMove(record(ap, second), record(eu, second), 30);
    // us-east-1 heard of the first move only (eu-west-1 the primary), which is the primary again after `back`.
    const usBehind = record(us, first);
    const euMovedBack = record(record(record(eu, first), second), back);
    const apMovedBack = record(record(record(ap, first), second), back);
    expect(primaryMoveToFinish([usBehind, euMovedBack, apMovedBack])).toBeUndefined();
    // `back` cut short after ap-south-1's own record: eu-west-1 is to take the role; us-east-1 still needs nothing.
    const euBehind = record(record(eu, first), second);
    expect(primaryMoveToFinish([usBehind, euBehind, apMovedBack])).toEqual({ move: back, followers: ['eu-west-1'] });
  });

  it('given the latest move recorded only by a member deleted since, then it still decides', () => {
    const { us, eu, ap, move } = movedOnce();
    expect(primaryMoveToFinish([deleted(record(us, move)), eu, ap])).toEqual({
      move,
      followers: ['eu-west-1', 'ap-south-1'],
    });
  });

  it('given a member deleted (or never made) while behind, then it records nothing', () => {
    const { us, eu, ap, move } = movedOnce();
    expect(primaryMoveToFinish([record(us, move), record(eu, move), deleted(ap)])).toBeUndefined();
    expect(primaryMoveToFinish([record(us, move), record(eu, move), initialKeyState()])).toBeUndefined();
  });

  it('given a key of the same id that is not multi-Region among them, then it is no member and records nothing', () => {
    const { us, eu, ap, move } = movedOnce();
    const single = given(created('sa-east-1', null));
    expect(primaryMoveToFinish([record(us, move), single, eu, ap])).toEqual({
      move,
      followers: ['eu-west-1', 'ap-south-1'],
    });
  });

  it('given the new primary deleted, or not among the members, then nothing is decided', () => {
    const { us, eu, ap, move } = movedOnce();
    expect(primaryMoveToFinish([record(us, move), deleted(eu), ap])).toBeUndefined();
    expect(primaryMoveToFinish([record(us, move), ap])).toBeUndefined();
  });
});

describe('memberRegionsNamedBy: where the other members of a key are to be found', () => {
  it('a single-Region key names its own region only', () => {
    expect(memberRegionsNamedBy(given(created('us-east-1', null)))).toEqual(['us-east-1']);
  });

  it('a primary names itself and its replicas; a replica itself and its primary, once each', () => {
    const { us, eu } = movedOnce();
    expect(memberRegionsNamedBy(us)).toEqual(['us-east-1', 'eu-west-1', 'ap-south-1']);
    expect(memberRegionsNamedBy(eu)).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('an old primary, which lists no replica any more, names every member of the move it recorded', () => {
    const { us, move } = movedOnce();
    const oldPrimary = record(us, move);
    expect(oldPrimary.multiRegion!.replicaRegions).toEqual([]);
    expect(memberRegionsNamedBy(oldPrimary)).toEqual(['us-east-1', 'eu-west-1', 'ap-south-1']);
  });
});

describe('FollowPrimaryRegion: a member records a move once', () => {
  const follow = (member: KeyAggregate, move: PrimaryMove) =>
    decideKey({ type: 'FollowPrimaryRegion', update: move, now: at(50) }, member);

  it('given the member recorded this very move, when told again, then nothing is decided', () => {
    const { eu, move } = movedOnce();
    expect(follow(record(eu, move), move)).toEqual([]);
  });

  it('given the member recorded another move (any field differs), when told, then it records the new one', () => {
    const { eu, move } = movedOnce();
    const others: PrimaryMove[] = [
      { ...move, updatedAt: at(11).toISOString() },
      { ...move, primaryRegion: 'ap-south-1' },
      { ...move, previousPrimaryRegion: 'ap-south-1' },
    ];
    for (const other of others)
      expect(follow(record(eu, move), other)).toEqual([{ type: 'KeyPrimaryRegionUpdated', data: other }]);
    expect(follow(eu, move)).toEqual([{ type: 'KeyPrimaryRegionUpdated', data: move }]);
  });
});
