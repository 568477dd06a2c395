import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import {
  canonicalDirectory,
  decideDirectory,
  evolveDirectory,
  identityPoliciesOf,
  initialDirectoryState,
  type DirectoryEntry,
} from './principal-directory.js';

const NOW = new Date('2026-03-01T00:00:00.000Z');
const alice: DirectoryEntry = {
  name: 'alice',
  arn: 'arn:aws:iam::111122223333:user/alice',
  accessKeyIds: ['AKIAALICE0000001'],
  role: 'key-user',
  policy: null,
};
const bob: DirectoryEntry = {
  name: 'bob',
  arn: 'arn:aws:iam::111122223333:user/bob',
  accessKeyIds: ['AKIABOB000000001'],
  role: null,
  policy: '{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}',
};

describe('principal directory', () => {
  it('starts unrecorded and empty', () => {
    expect(initialDirectoryState()).toEqual({ recorded: false, principals: [], changedAt: null });
  });

  it('records the first directory even when it is empty', () => {
    expect(decideDirectory(initialDirectoryState(), [], NOW)).toEqual([
      { type: 'PrincipalDirectoryChanged', data: { principals: [], changedAt: NOW.toISOString() } },
    ]);
  });

  it('puts entries in one order, by name, whatever order they come in', () => {
    const named = (name: string): DirectoryEntry => ({ ...bob, name, arn: `arn:aws:iam::111122223333:user/${name}` });
    const names = ['dave', 'carol', 'bob', 'alice', 'erin'];
    for (const order of [names, [...names].reverse(), [...names].sort()])
      expect(canonicalDirectory(order.map(named)).map((p) => p.name)).toEqual([
        'alice',
        'bob',
        'carol',
        'dave',
        'erin',
      ]);
  });

  it('puts two entries of one name in one order too, and sorts access key ids', () => {
    const first = { ...alice, arn: 'arn:aws:iam::111122223333:user/a1', accessKeyIds: ['AKIAZ', 'AKIAA'] };
    const second = { ...alice, arn: 'arn:aws:iam::111122223333:user/a2' };
    const expected = [{ ...first, accessKeyIds: ['AKIAA', 'AKIAZ'] }, second];
    expect(canonicalDirectory([first, second])).toEqual(expected);
    expect(canonicalDirectory([second, first])).toEqual(expected);
    const state = evolveDirectory(
      initialDirectoryState(),
      decideDirectory(initialDirectoryState(), [first, second], NOW)[0],
    );
    expect(decideDirectory(state, [second, { ...first, accessKeyIds: ['AKIAA', 'AKIAZ'] }], NOW)).toEqual([]);
  });

  it('records the first directory, sorted by name', () => {
    const [change] = decideDirectory(initialDirectoryState(), [bob, alice], NOW);
    expect(change.type).toBe('PrincipalDirectoryChanged');
    expect(change.data.principals.map((p) => p.name)).toEqual(['alice', 'bob']);
    expect(change.data.changedAt).toBe(NOW.toISOString());
  });

  it('records nothing when the directory is the one last recorded, in any order', () => {
    const state = evolveDirectory(
      initialDirectoryState(),
      decideDirectory(initialDirectoryState(), [alice, bob], NOW)[0],
    );
    expect(decideDirectory(state, [bob, alice], NOW)).toEqual([]);
  });

  it('records a change of role, policy, access key or membership', () => {
    const state = evolveDirectory(
      initialDirectoryState(),
      decideDirectory(initialDirectoryState(), [alice, bob], NOW)[0],
    );
    expect(decideDirectory(state, [{ ...alice, role: 'admin' }, bob], NOW)).toHaveLength(1);
    expect(decideDirectory(state, [alice, { ...bob, policy: null }], NOW)).toHaveLength(1);
    expect(decideDirectory(state, [{ ...alice, accessKeyIds: ['AKIAALICE0000002'] }, bob], NOW)).toHaveLength(1);
    expect(decideDirectory(state, [alice], NOW)).toHaveLength(1);
  });

  it('never carries a secret, even when handed one', () => {
    const withSecret = { ...alice, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } as DirectoryEntry;
    const [change] = decideDirectory(initialDirectoryState(), [withSecret], NOW);
    expect(JSON.stringify(change)).not.toContain('wJalrXUtnFEMI');
  });

  it('identity policies: the role policy, the own policy, or both', () => {
    const both = identityPoliciesOf({ role: 'auditor', policy: bob.policy });
    if (both instanceof DomainError) throw both;
    expect(both.map((p) => p.statements[0].ref.sid)).toEqual(['KeyledgerAuditor', null]);
    expect(identityPoliciesOf({ role: null, policy: null })).toEqual([]);
    const bad = identityPoliciesOf({
      role: null,
      policy: '{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}',
    });
    expect(bad instanceof DomainError && bad.code).toBe('MalformedPolicyDocument');
  });
});
