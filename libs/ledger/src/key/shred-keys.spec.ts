import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import type { KeyCommand } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent } from './key-events.js';
import { evolveKey, initialKeyState, type ImportParameters, type KeyAggregate } from './key-state.js';
import { deadShredKeyIds, everyShredKeyId, liveShredKeyIds, spend } from './shred-keys.js';
import { given, keyCreated } from '../testing/key-fixtures.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000);
const MATERIAL = 'a'.repeat(64);

const then = (state: KeyAggregate, command: KeyCommand): KeyEvent[] => {
  const decision = decideKey(command, state);
  if (decision instanceof DomainError) throw new Error(`${decision.code}: ${decision.message}`);
  return decision;
};
const created = keyCreated('EXTERNAL');
const issued = (token: string, hour = 0): KeyEvent => ({
  type: 'KeyImportParametersIssued',
  data: {
    importTokenId: token,
    wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    wrappingKeySpec: 'RSA_2048',
    sealedPrivateKey: 'sealed',
    shredKeyId: `wrap/${token}`,
    publicKeySha256: '00',
    issuedAt: at(hour).toISOString(),
    validTo: at(hour + 24).toISOString(),
  },
});
/** As recorded before superseded shred keys were destroyed: no destroyedShredKeyIds. */
const importedBeforeTheFix = (token: string, shredKeyId: string, hour: number): KeyEvent => ({
  type: 'KeyMaterialImported',
  data: {
    keyMaterialId: MATERIAL,
    sealedMaterial: 'sealed',
    shredKeyId,
    importTokenId: token,
    importType: 'EXISTING_KEY_MATERIAL',
    expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    validTo: null,
    keyMaterialDescription: null,
    importedAt: at(hour).toISOString(),
  },
});
const importCommand = (token: string, shredKeyId: string, hour: number): KeyCommand => ({
  type: 'ImportKeyMaterial',
  importTokenId: token,
  keyMaterialId: MATERIAL,
  sealedMaterial: 'sealed',
  shredKeyId,
  expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  now: at(hour),
});

describe('shred keys: every one the events recorded is destroyed', () => {
  it('given live material, when it is re-imported, then the event destroys the old sealing and the used wrapping key', () => {
    const state = given(created, issued('t1'), importedBeforeTheFix('t1', 'm1', 1), issued('t2', 2));
    const [event] = then(state, importCommand('t2', 'm2', 3));
    expect(event).toMatchObject({ type: 'KeyMaterialImported', data: { destroyedShredKeyIds: ['wrap/t2', 'm1'] } });
  });

  it('given a re-import recorded before the fix, then its superseded shred key is dead and every destroy list names it', () => {
    const state = given(
      created,
      issued('t1'),
      importedBeforeTheFix('t1', 'm1', 1),
      issued('t2', 2),
      importedBeforeTheFix('t2', 'm2', 3),
    );
    expect(state.supersededShredKeyIds).toEqual(['m1']);
    expect(deadShredKeyIds(state).sort()).toEqual(['m1', 'wrap/t1', 'wrap/t2']);
    expect(everyShredKeyId(state).sort()).toEqual(['m1', 'm2', 'wrap/t1', 'wrap/t2']);
    const [deleted] = then(state, { type: 'DeleteImportedKeyMaterial', now: at(4) });
    expect(deleted).toMatchObject({ type: 'KeyMaterialDeleted', data: { destroyedShredKeyIds: ['m2', 'm1'] } });
  });

  it('given a used token, when it is used again, then InvalidImportToken; an expired one stays ExpiredImportToken', () => {
    const state = given(created, issued('t1'), importedBeforeTheFix('t1', 'm1', 1));
    expect(decideKey(importCommand('t1', 'm9', 2), state)).toMatchObject({ code: 'InvalidImportToken' });
    expect(decideKey(importCommand('t1', 'm9', 25), state)).toMatchObject({ code: 'ExpiredImportToken' });
  });

  it('given unused import parameters, when their ValidTo passes, then they expire once, destroying their shred key', () => {
    const state = given(created, issued('t1'));
    expect(then(state, { type: 'ExpireKeyMaterialIfDue', now: at(23) })).toEqual([]);
    const events = then(state, { type: 'ExpireKeyMaterialIfDue', now: at(24) });
    expect(events).toEqual([
      {
        type: 'KeyImportParametersExpired',
        data: { importTokenId: 't1', destroyedShredKeyIds: ['wrap/t1'], expiredAt: at(24).toISOString() },
      },
    ]);
    const after = given(created, issued('t1'), ...events);
    expect(then(after, { type: 'ExpireKeyMaterialIfDue', now: at(48) })).toEqual([]);
    expect(deadShredKeyIds(after)).toEqual(['wrap/t1']);
  });

  it('orphans: only dead ids of this key are recorded destroyed, on a deleted key too, and nothing when none', () => {
    const state = given(created, issued('t1'), importedBeforeTheFix('t1', 'm1', 1), issued('t2', 2));
    const orphans = (ids: string[], s = state) =>
      decideKey({ type: 'DestroyOrphanShredKeys', shredKeyIds: ids, now: at(5) }, s);
    // m1 is live, wrap/t2 unspent, x unknown: none of them may be destroyed.
    expect(orphans(['m1', 'wrap/t2', 'x'])).toEqual([]);
    expect(orphans(['wrap/t1', 'wrap/t1', 'm1'])).toEqual([
      {
        type: 'OrphanShredKeysDestroyed',
        data: { destroyedShredKeyIds: ['wrap/t1'], destroyedAt: at(5).toISOString() },
      },
    ]);
    const deleted = evolveKey(state, {
      type: 'KeyDeleted',
      data: { deletedAt: at(6).toISOString(), destroyedShredKeyIds: [] },
    });
    expect(orphans(['m1', 'wrap/t2'], deleted)).toMatchObject([{ data: { destroyedShredKeyIds: ['m1', 'wrap/t2'] } }]);
  });
});

describe('spend and the live shred keys of import parameters', () => {
  const parameters = (n: number, spent = false): ImportParameters => ({
    importTokenId: `token-${n}`,
    wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    wrappingKeySpec: 'RSA_2048',
    sealedPrivateKey: 'sealed',
    shredKeyId: `wrapping-${n}`,
    validTo: 0,
    spent,
  });

  it('spends only the token named, and leaves a spent one as it was', () => {
    const all = [parameters(1), parameters(2), parameters(3, true)];
    const after = spend(all, 'token-2');
    expect(after.map((p) => p.spent)).toEqual([false, true, true]);
    expect(after[0]).toBe(all[0]);
    expect(after[2]).toBe(all[2]);
  });

  it('counts the wrapping key of unspent parameters live, and of spent ones dead', () => {
    const key: KeyAggregate = {
      ...initialKeyState(),
      exists: true,
      importParameters: [parameters(1), parameters(2, true)],
    };
    expect([...liveShredKeyIds(key)]).toEqual(['wrapping-1']);
    expect(deadShredKeyIds(key)).toEqual(['wrapping-2']);
  });
});
