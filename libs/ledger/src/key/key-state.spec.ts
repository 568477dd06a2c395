import { describe, expect, it } from 'vitest';
import type { KeyEvent } from './key-events.js';
import { evolveKey, findBackingKey, initialKeyState, type KeyAggregate, type MaterialState } from './key-state.js';
import { KEY_ID, given, keyCreated } from '../testing/key-fixtures.js';

// The fold's backing-key index (libs/ledger/src/key/key-state.ts) is shared by every
// array derived from the same history and is only a hint: these tests would catch a
// lookup that trusted a stale or foreign hint and returned the wrong backing key.

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (n: number) => new Date(T0 + n * 60_000).toISOString();
const id = (n: number | string) => String(n).padStart(64, '0');

const generated = (n: number | string): KeyEvent => ({
  type: 'KeyMaterialGenerated',
  data: {
    keyMaterialId: id(n),
    sealedMaterial: `sealed-${n}`,
    shredKeyId: `${KEY_ID}/${n}`,
    generatedAt: at(Number(n) || 0),
  },
});
const rotated = (n: number | string, previous: number | string | null): KeyEvent => ({
  type: 'KeyRotated',
  data: {
    keyMaterialId: id(n),
    previousKeyMaterialId: previous === null ? null : id(previous),
    rotationType: 'ON_DEMAND',
    rotatedAt: at(Number(n) || 0),
  },
});
const imported = (n: number): KeyEvent => ({
  type: 'KeyMaterialImported',
  data: {
    keyMaterialId: id(n),
    sealedMaterial: `sealed-${n}`,
    shredKeyId: `${KEY_ID}/${n}`,
    importTokenId: `token-${n}`,
    importType: n === 1 ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL',
    expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    validTo: null,
    keyMaterialDescription: null,
    importedAt: at(n),
  },
});

const when = (state: KeyAggregate, ...events: KeyEvent[]): KeyAggregate => events.reduce(evolveKey, state);

/** Material 1 generated at creation, then `rotations` on-demand rotations (materials 2 … rotations+1). */
const keyWithRotations = (rotations: number): KeyAggregate[] => {
  const states = [given(keyCreated(), generated(1))];
  for (let n = 2; n <= rotations + 1; n++)
    states.push(when(states[states.length - 1]!, generated(n), rotated(n, n - 1)));
  return states;
};

/** What every material of `state` is, found one by one through findBackingKey. */
const lookedUp = (state: KeyAggregate, count: number) =>
  Array.from({ length: count }, (_, i) => findBackingKey(state, id(i + 1))?.state ?? 'missing');

describe('key state: finding backing keys', () => {
  it('given a key rotated 50 times, when each old material is looked up, then each is found with its own state', () => {
    const states = keyWithRotations(50);
    const last = states[50]!;
    expect(last.backingKeys).toHaveLength(51);
    for (let n = 1; n <= 51; n++) {
      const found = findBackingKey(last, id(n));
      expect(found?.keyMaterialId).toBe(id(n));
      expect(found?.shredKeyId).toBe(`${KEY_ID}/${n}`);
      expect(found?.state).toBe(n === 51 ? 'CURRENT' : 'NON_CURRENT');
    }
    expect(last.backingKeys.filter((b) => b.state === 'CURRENT').map((b) => b.keyMaterialId)).toEqual([id(51)]);
    expect(last.currentKeyMaterialId).toBe(id(51));
    expect(findBackingKey(last, id(52))).toBeUndefined();
    expect(findBackingKey(last, 'f'.repeat(64))).toBeUndefined();
  });

  it('given a key rotated 50 times, when it is looked up in any order, then the answers do not depend on the order', () => {
    const last = keyWithRotations(50)[50]!;
    const order = Array.from({ length: 51 }, (_, i) => ((i * 37) % 51) + 1);
    for (const n of order) expect(findBackingKey(last, id(n))?.keyMaterialId).toBe(id(n));
    // A copy of the state (as a snapshot restores it) answers the same.
    const restored: KeyAggregate = JSON.parse(JSON.stringify(last));
    expect(lookedUp(restored, 52)).toEqual(lookedUp(last, 52));
  });

  it('given every state of a 50-rotation history, when later events have been applied, then each earlier state answers as it did', () => {
    // Every state, one per event: the generated-but-not-yet-rotated ones too.
    const history: KeyEvent[] = [keyCreated(), generated(1)];
    for (let n = 2; n <= 51; n++) history.push(generated(n), rotated(n, n - 1));
    const states: KeyAggregate[] = [];
    const answersThen: string[][] = [];
    const arraysThen: string[] = [];
    let state = initialKeyState();
    for (const event of history) {
      state = evolveKey(state, event);
      states.push(state);
      answersThen.push(lookedUp(state, 52));
      arraysThen.push(JSON.stringify(state.backingKeys));
    }
    states.forEach((s, i) => {
      expect(lookedUp(s, 52)).toEqual(answersThen[i]);
      expect(JSON.stringify(s.backingKeys)).toBe(arraysThen[i]);
    });
    // After each rotation (states 3, 5, …): its newest is CURRENT, the one before NON_CURRENT,
    // materials made later are not in it.
    for (let n = 2; n <= 51; n++) {
      const afterGenerated = states[2 * n - 2]!;
      const afterRotated = states[2 * n - 1]!;
      expect(findBackingKey(afterGenerated, id(n))?.state).toBe('PENDING_ROTATION');
      expect(findBackingKey(afterGenerated, id(n - 1))?.state).toBe('CURRENT');
      expect(findBackingKey(afterRotated, id(n))?.state).toBe('CURRENT');
      expect(findBackingKey(afterRotated, id(n - 1))?.state).toBe('NON_CURRENT');
      expect(findBackingKey(afterRotated, id(n + 1))).toBeUndefined();
    }
  });

  it('given a rotation, then the backing keys it does not change keep their object identity', () => {
    const states = keyWithRotations(20);
    const before = states[19]!;
    const after = states[20]!;
    expect(after.backingKeys).not.toBe(before.backingKeys);
    for (let i = 0; i < 19; i++) expect(after.backingKeys[i]).toBe(before.backingKeys[i]);
    // Only the previous current (demoted) is a new object; the new material is appended.
    expect(after.backingKeys[19]).not.toBe(before.backingKeys[19]);
    expect(before.backingKeys[19]!.state).toBe('CURRENT');
    expect(after.backingKeys[19]!.state).toBe('NON_CURRENT');
    expect(after.backingKeys[20]!.state).toBe('CURRENT');
  });

  it('given one base state, when two different materials are generated on it, then each branch finds only its own', () => {
    const base = keyWithRotations(30)[30]!; // materials 1 … 31, index built by the rotations
    expect(findBackingKey(base, id(3))?.state).toBe('NON_CURRENT');
    const a = when(base, generated('a'));
    const b = when(base, generated('b'));
    for (const [mine, theirs, branch] of [
      ['a', 'b', a],
      ['b', 'a', b],
    ] as const) {
      expect(findBackingKey(branch, id(mine))?.state).toBe('PENDING_ROTATION');
      expect(findBackingKey(branch, id(theirs))).toBeUndefined();
      expect(findBackingKey(base, id(mine))).toBeUndefined();
      expect(findBackingKey(branch, id(3))?.state).toBe('NON_CURRENT');
    }
    // Each branch grows on: rotated, then one more material each; answers stay per branch.
    const a2 = when(a, rotated('a', 31), generated(100), rotated(100, 'a'));
    const b2 = when(b, rotated('b', 31), generated(200), rotated(200, 'b'));
    const states = (s: KeyAggregate, ids: (number | string)[]) =>
      ids.map((n) => findBackingKey(s, id(n))?.state ?? 'missing');
    expect(states(a2, ['a', 100, 'b', 200, 31, 1])).toEqual([
      'NON_CURRENT',
      'CURRENT',
      'missing',
      'missing',
      'NON_CURRENT',
      'NON_CURRENT',
    ]);
    expect(states(b2, ['b', 200, 'a', 100, 31, 1])).toEqual([
      'NON_CURRENT',
      'CURRENT',
      'missing',
      'missing',
      'NON_CURRENT',
      'NON_CURRENT',
    ]);
    // The same position holds a different material in each branch.
    expect(a2.backingKeys[31]!.keyMaterialId).toBe(id('a'));
    expect(b2.backingKeys[31]!.keyMaterialId).toBe(id('b'));
    expect(findBackingKey(a, id('a'))?.state).toBe('PENDING_ROTATION');
    expect(findBackingKey(base, id(31))?.state).toBe('CURRENT');
  });

  it('given one base state, when the same material id is generated at different places in two branches, then each branch finds its own', () => {
    const base = keyWithRotations(10)[10]!; // materials 1 … 11
    const a = when(base, generated('x')); // x at position 11
    const b = when(base, generated('y'), generated('x')); // x at position 12
    expect(a.backingKeys.indexOf(findBackingKey(a, id('x'))!)).toBe(11);
    expect(b.backingKeys.indexOf(findBackingKey(b, id('x'))!)).toBe(12);
    expect(b.backingKeys.indexOf(findBackingKey(b, id('y'))!)).toBe(11);
    expect(findBackingKey(a, id('y'))).toBeUndefined();
  });

  it('given an EXTERNAL key with 20 materials, when old ones are deleted, expired and re-imported, then only those change', () => {
    let state = given(keyCreated('EXTERNAL'), imported(1));
    for (let n = 2; n <= 20; n++) state = when(state, imported(n), rotated(n, n - 1));
    const before = state;
    const deleted = when(before, {
      type: 'KeyMaterialDeleted',
      data: { keyMaterialId: id(3), destroyedShredKeyIds: [`${KEY_ID}/3`], deletedAt: at(30) },
    });
    const expired = when(deleted, {
      type: 'KeyMaterialExpired',
      data: { keyMaterialId: id(20), destroyedShredKeyIds: [`${KEY_ID}/20`], expiredAt: at(31) },
    });
    const expectStates = (s: KeyAggregate, changed: Record<number, MaterialState>) =>
      expect(lookedUp(s, 21)).toEqual([
        ...Array.from({ length: 20 }, (_, i) => changed[i + 1] ?? (i + 1 === 20 ? 'CURRENT' : 'NON_CURRENT')),
        'missing',
      ]);
    expectStates(before, {});
    expectStates(deleted, { 3: 'DELETED' });
    expectStates(expired, { 3: 'DELETED', 20: 'EXPIRED' });
    expect(expired.enabled).toBe(false);
    expect(findBackingKey(expired, id(3))?.hasMaterial).toBe(false);
    deleted.backingKeys.forEach((b, i) =>
      i === 2 ? expect(b).not.toBe(before.backingKeys[i]) : expect(b).toBe(before.backingKeys[i]),
    );

    const reimported = when(expired, imported(3));
    expectStates(reimported, { 20: 'EXPIRED' });
    expect(findBackingKey(reimported, id(3))?.importState).toBe('IMPORTED');
    expectStates(expired, { 3: 'DELETED', 20: 'EXPIRED' });
  });

  it('given a deep key, when it is deleted, then every material is found DESTROYED and the state before still answers as it did', () => {
    const before = keyWithRotations(12)[12]!;
    const gone = when(before, { type: 'KeyDeleted', data: { deletedAt: at(99), destroyedShredKeyIds: [] } });
    expect(lookedUp(gone, 14)).toEqual([...Array<string>(13).fill('DESTROYED'), 'missing']);
    expect(lookedUp(before, 14)).toEqual([...Array<string>(12).fill('NON_CURRENT'), 'CURRENT', 'missing']);
  });
});
