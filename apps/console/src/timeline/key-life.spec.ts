import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../types.js';
import { keyLife } from './key-life.js';

const KEY = 'k-1';
const day = (n: number) => Date.UTC(2026, 0, 1 + n);
let position = 0;

function event(type: string, at: number, data: Record<string, unknown> = {}, streamName = `key-${KEY}`): LedgerEvent {
  position += 1;
  const time = new Date(at).toISOString();
  return {
    id: `e${position}`,
    streamName,
    type,
    revision: '0',
    position: String(position),
    recordedAt: time,
    time,
    actor: null,
    requestId: null,
    data,
  };
}

const created = (at = day(0), origin = 'AWS_KMS') => event('KeyCreated', at, { keyId: KEY, origin });
const material = (id: string, at: number) => event('KeyMaterialGenerated', at, { keyMaterialId: id });
const rotated = (id: string, at: number) => event('KeyRotated', at, { keyMaterialId: id, rotationType: 'ON_DEMAND' });
const alias = (type: string, at: number, data: Record<string, unknown>) =>
  event(type, at, { aliasName: 'alias/app', ...data }, 'alias-alias/app');

describe('keyLife: a key history as lanes', () => {
  it('gives a lane per backing key; the current one changes at each rotation and an old lane runs on', () => {
    const life = keyLife(
      KEY,
      [
        created(),
        material('m1', day(0)),
        material('m2', day(10)),
        rotated('m2', day(10)),
        material('m3', day(30)),
        rotated('m3', day(30)),
      ],
      day(40),
    );
    expect(life.from).toBe(day(0));
    expect(life.to).toBe(day(40));
    expect(life.materials.map((m) => m.keyMaterialId)).toEqual(['m1', 'm2', 'm3']);
    expect(life.materials.map((m) => [m.from, m.to])).toEqual([
      [day(0), day(40)],
      [day(10), day(40)],
      [day(30), day(40)],
    ]);
    expect(life.materials.map((m) => m.current)).toEqual([
      [{ from: day(0), to: day(10) }],
      [{ from: day(10), to: day(30) }],
      [{ from: day(30), to: day(40) }],
    ]);
    expect(life.markers.filter((m) => m.kind === 'rotation').map((m) => m.at)).toEqual([day(10), day(30)]);
  });

  it('bands the states: enabled, disabled, pending deletion, cancelled to disabled, deleted ends every lane', () => {
    const life = keyLife(
      KEY,
      [
        created(),
        material('m1', day(0)),
        event('KeyDisabled', day(5)),
        event('KeyEnabled', day(6)),
        event('KeyDeletionScheduled', day(7)),
        event('KeyDeletionCanceled', day(8)),
        event('KeyDeletionScheduled', day(9)),
        event('KeyDeleted', day(16)),
      ],
      day(40),
    );
    expect(life.states.map((s) => [s.state, s.from, s.to])).toEqual([
      ['Enabled', day(0), day(5)],
      ['Disabled', day(5), day(6)],
      ['Enabled', day(6), day(7)],
      ['PendingDeletion', day(7), day(8)],
      ['Disabled', day(8), day(9)],
      ['PendingDeletion', day(9), day(16)],
      ['Deleted', day(16), day(16)],
    ]);
    expect(life.to).toBe(day(16));
    expect(life.materials[0]).toMatchObject({
      to: day(16),
      ended: 'key deleted',
      current: [{ from: day(0), to: day(16) }],
    });
  });

  it('an imported key is PendingImport until its material comes, and again when that material is deleted', () => {
    const life = keyLife(
      KEY,
      [
        created(day(0), 'EXTERNAL'),
        event('KeyMaterialImported', day(2), { keyMaterialId: 'i1' }),
        event('KeyMaterialImported', day(3), { keyMaterialId: 'i1' }),
        event('KeyMaterialDeleted', day(4), { keyMaterialId: 'i1' }),
      ],
      day(10),
    );
    expect(life.states.map((s) => s.state)).toEqual(['PendingImport', 'Enabled', 'PendingImport']);
    expect(life.materials).toHaveLength(1);
    expect(life.materials[0]).toMatchObject({ origin: 'imported', from: day(2), to: day(4), ended: 'deleted' });
  });

  it("draws an alias's time on the key, from its creation or its move here to its move away or deletion", () => {
    const life = keyLife(
      KEY,
      [
        created(),
        alias('AliasCreated', day(1), { targetKeyId: KEY }),
        alias('AliasMoved', day(3), { fromKeyId: KEY, toKeyId: 'other' }),
        alias('AliasMoved', day(5), { fromKeyId: 'other', toKeyId: KEY }),
        alias('AliasDeleted', day(7), { targetKeyId: KEY }),
      ],
      day(10),
    );
    expect(life.aliases).toEqual([
      {
        aliasName: 'alias/app',
        spans: [
          { from: day(1), to: day(3) },
          { from: day(5), to: day(7) },
        ],
      },
    ]);
    expect(life.markers.map((m) => m.label)).toEqual([
      'alias/app created here',
      'alias/app moved to other',
      'alias/app moved here from other',
      'alias/app deleted',
    ]);
  });

  it('marks policy and grant changes, and orders events by time whatever order they came in', () => {
    const life = keyLife(
      KEY,
      [event('GrantCreated', day(4), { grantId: 'g1' }), event('KeyPolicyChanged', day(2), {}), created()],
      day(10),
    );
    expect(life.markers.map((m) => [m.kind, m.at])).toEqual([
      ['policy', day(2)],
      ['grant', day(4)],
    ]);
    expect(life.states[0]).toMatchObject({ state: 'Enabled', from: day(0) });
  });

  it('names who made each change: the principal of the request, none for the server itself', () => {
    const by = (e: LedgerEvent, principal: string) => ({
      ...e,
      actor: { principal, accessKeyId: null, sourceAddress: null },
    });
    const life = keyLife(
      KEY,
      [created(), by(event('KeyPolicyChanged', day(2)), 'arn:aws:iam::1:user/admin'), rotated('m2', day(3))],
      day(10),
    );
    expect(life.markers.map((m) => [m.label, m.actor])).toEqual([
      ['Key policy changed', 'arn:aws:iam::1:user/admin'],
      ['Rotated (ON_DEMAND)', null],
    ]);
  });

  it('draws each grant from its creation to its retirement or revocation; one never ended runs to the end', () => {
    const grant = (id: string, at: number) =>
      event('GrantCreated', at, {
        grantId: id,
        name: id === 'g1' ? 'batch' : null,
        granteePrincipal: `arn:${id}`,
        operations: ['Decrypt'],
      });
    const life = keyLife(
      KEY,
      [
        created(),
        grant('g1', day(1)),
        grant('g2', day(2)),
        grant('g3', day(3)),
        event('GrantRetired', day(5), { grantId: 'g1' }),
        event('GrantRevoked', day(6), { grantId: 'g2' }),
        // A second end of the same grant (or one of a grant never seen) changes nothing.
        event('GrantRevoked', day(7), { grantId: 'g1' }),
        event('GrantRevoked', day(7), { grantId: 'unknown' }),
      ],
      day(10),
    );
    expect(life.grants.map((g) => [g.grantId, g.name, g.grantee, g.operations, g.from, g.to, g.ended])).toEqual([
      ['g1', 'batch', 'arn:g1', ['Decrypt'], day(1), day(5), 'retired'],
      ['g2', null, 'arn:g2', ['Decrypt'], day(2), day(6), 'revoked'],
      ['g3', null, 'arn:g3', ['Decrypt'], day(3), day(10), null],
    ]);
    expect(life.markers.filter((m) => m.kind === 'grant').map((m) => m.label)).toEqual([
      'Grant g1 created for arn:g1',
      'Grant g2 created for arn:g2',
      'Grant g3 created for arn:g3',
      'Grant g1 retired',
      'Grant g2 revoked',
      'Grant g1 revoked',
      'Grant unknown revoked',
    ]);
  });
});
