import type { JsonObject } from '@keyledger/event-store';
import { describe, expect, it } from 'vitest';
import { TimeIndex } from './time-index.js';

describe('TimeIndex', () => {
  it('counts an event once, however often it is fed', () => {
    const times = new TimeIndex();
    times.keyEvent('k', 0n, 'KeyCreated', 100);
    times.keyEvent('k', 1n, 'KeyDisabled', 300);
    times.keyEvent('k', 1n, 'KeyDisabled', 900);
    times.keyEvent('k', 0n, 'KeyCreated', 50);
    expect(times.key('k')).toEqual({ revision: 1n, createdMs: 100, maxTimeMs: 300, complete: true });
  });

  it('marks a gap in the log as incomplete, and keeps the latest time, not the last', () => {
    const times = new TimeIndex();
    times.keyEvent('k', 0n, 'KeyCreated', 100);
    times.keyEvent('k', 1n, 'KeyEnabled', 300);
    expect(times.key('k')).toMatchObject({ revision: 1n, maxTimeMs: 300, complete: true });
    times.keyEvent('k', 3n, 'KeyEnabled', 200);
    expect(times.key('k')).toEqual({ revision: 3n, createdMs: 100, maxTimeMs: 300, complete: false });
  });

  it('takes recorded events from key and alias streams, and passes by the rest', () => {
    const times = new TimeIndex();
    const recorded = (streamName: string, revision: bigint, type: string, data: JsonObject, time: string) => ({
      streamName,
      revision,
      type,
      data,
      metadata: { time },
      position: 0n,
      recordedAt: new Date(0),
      id: '',
    });
    times.applyRecorded(recorded('key-k1', 0n, 'KeyCreated', {}, '2026-01-01T00:00:00.000Z'));
    times.applyRecorded(
      recorded('alias-alias/a', 0n, 'AliasCreated', { targetKeyId: 'k1' }, '2026-01-02T00:00:00.000Z'),
    );
    times.applyRecorded(recorded('usage-k1', 0n, 'KeyUsed', {}, '2026-01-03T00:00:00.000Z'));
    const created = Date.parse('2026-01-01T00:00:00.000Z');
    expect(times.key('k1')).toEqual({ revision: 0n, createdMs: created, maxTimeMs: created, complete: true });
    expect(times.aliasesOf('k1', Date.parse('2026-01-02T00:00:00.000Z'))).toEqual(['alias/a']);
    expect(times.aliasesOf('k1', Date.parse('2026-01-01T12:00:00.000Z'))).toEqual([]);
    expect(times.contents().keys).toHaveLength(1);
  });

  it('answers where an alias pointed at any time', () => {
    const times = new TimeIndex();
    times.aliasEvent('alias/a', 0n, 'AliasCreated', { targetKeyId: 'k1' }, 10);
    times.aliasEvent('alias/a', 1n, 'AliasMoved', { toKeyId: 'k2' }, 20);
    times.aliasEvent('alias/a', 1n, 'AliasMoved', { toKeyId: 'k2' }, 20);
    times.aliasEvent('alias/a', 2n, 'AliasDeleted', {}, 30);
    expect(times.aliasesOf('k1', 15)).toEqual(['alias/a']);
    expect(times.aliasesOf('k1', 25)).toEqual([]);
    expect(times.aliasesOf('k2', 25)).toEqual(['alias/a']);
    expect(times.aliasesByKey(35).size).toBe(0);
    expect(times.aliasNamesEver('k2')).toEqual(['alias/a']);
    const copy = new TimeIndex();
    copy.restore(structuredClone(times.contents()));
    expect(copy.aliasesOf('k2', 25)).toEqual(['alias/a']);
    expect(copy.aliasNamesEver('k1')).toEqual(['alias/a']);
  });
});
