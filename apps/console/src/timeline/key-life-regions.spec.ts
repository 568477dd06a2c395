import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../types.js';
import { keyLife } from './key-life.js';

// A key outside the home region lives on `key-<id>@<region>`; a multi-Region replica's backing keys arrive from
// its primary rather than being generated.

const KEY = 'mrk-0123456789abcdef0123456789abcdef';
const STREAM = `key-${KEY}@eu-west-1`;
const day = (n: number) => Date.UTC(2026, 0, 1 + n);
let position = 0;

function event(type: string, at: number, data: Record<string, unknown> = {}, streamName = STREAM): LedgerEvent {
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

const arrived = (keyMaterialId: string, at: number, current: boolean) =>
  event('KeyMaterialArrived', at, { keyMaterialId, current, fromRegion: 'us-east-1' });

describe('keyLife of a key in another region', () => {
  it("reads the state changes on the key's regional stream", () => {
    const life = keyLife(
      KEY,
      [event('KeyCreated', day(0), { origin: 'AWS_KMS' }), event('KeyDisabled', day(3)), event('KeyEnabled', day(5))],
      day(10),
    );
    expect(life.states.map((s) => [s.state, s.from, s.to])).toEqual([
      ['Enabled', day(0), day(3)],
      ['Disabled', day(3), day(5)],
      ['Enabled', day(5), day(10)],
    ]);
  });

  it("does not take another key's state changes for its own", () => {
    const other = `key-mrk-ffffffffffffffffffffffffffffffff@eu-west-1`;
    const life = keyLife(KEY, [event('KeyCreated', day(0)), event('KeyDisabled', day(3), {}, other)], day(10));
    expect(life.states.map((s) => s.state)).toEqual(['Enabled']);
  });

  it("draws a replica's arrived backing keys as lanes: current from the primary's current, a rotation marker at a later one", () => {
    const life = keyLife(
      KEY,
      [
        event('KeyCreated', day(0)),
        arrived('m1', day(0), false),
        arrived('m2', day(0), true),
        arrived('m2', day(1), true),
        arrived('m3', day(4), true),
      ],
      day(10),
    );
    expect(life.materials.map((m) => [m.keyMaterialId, m.origin, m.from, m.to])).toEqual([
      ['m1', 'replicated', day(0), day(10)],
      ['m2', 'replicated', day(0), day(10)],
      ['m3', 'replicated', day(4), day(10)],
    ]);
    expect(life.materials.map((m) => m.current)).toEqual([
      [],
      [{ from: day(0), to: day(4) }],
      [{ from: day(4), to: day(10) }],
    ]);
    // The set it was created with is no rotation.
    expect(life.markers.map((m) => [m.kind, m.at, m.label])).toEqual([
      ['rotation', day(4), 'Rotated on the primary in us-east-1'],
    ]);
  });

  it('draws a replica deleted and made again as two lives: lanes anew, no rotation for its starting set, alive to the end', () => {
    const life = keyLife(
      KEY,
      [
        event('KeyCreated', day(0)),
        arrived('m1', day(0), true),
        event('KeyDeletionScheduled', day(1)),
        event('KeyDeleted', day(8)),
        event('KeyCreated', day(9)),
        arrived('m1', day(9), false),
        arrived('m2', day(9), true),
        arrived('m3', day(12), true),
      ],
      day(20),
    );
    expect(life.to).toBe(day(20));
    expect(life.materials.map((m) => [m.keyMaterialId, m.from, m.to, m.ended])).toEqual([
      ['m1', day(0), day(8), 'key deleted'],
      ['m1', day(9), day(20), null],
      ['m2', day(9), day(20), null],
      ['m3', day(12), day(20), null],
    ]);
    expect(life.materials.map((m) => m.current)).toEqual([
      [{ from: day(0), to: day(8) }],
      [],
      [{ from: day(9), to: day(12) }],
      [{ from: day(12), to: day(20) }],
    ]);
    expect(life.states.map((b) => [b.state, b.from, b.to])).toEqual([
      ['Enabled', day(0), day(1)],
      ['PendingDeletion', day(1), day(8)],
      ['Deleted', day(8), day(9)],
      ['Enabled', day(9), day(20)],
    ]);
    expect(life.markers.map((m) => [m.kind, m.at, m.label])).toEqual([
      ['other', day(9), 'Made again: a new replica on this stream'],
      ['rotation', day(12), 'Rotated on the primary in us-east-1'],
    ]);
  });

  it('ends the timeline at the deletion when no later life began', () => {
    const life = keyLife(
      KEY,
      [event('KeyCreated', day(0)), arrived('m1', day(0), true), event('KeyDeleted', day(3))],
      day(20),
    );
    expect(life.to).toBe(day(3));
    expect(life.markers).toEqual([]);
  });
});
