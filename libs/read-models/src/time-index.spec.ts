import { describe, expect, it } from 'vitest';
import { TimeIndex } from './time-index.js';

describe('TimeIndex', () => {
  it('counts an event once, however often it is fed', () => {
    const times = new TimeIndex();
    times.keyEvent('k', 0n, 'KeyCreated', 100, true);
    times.keyEvent('k', 1n, 'KeyDisabled', 300, true);
    times.keyEvent('k', 1n, 'KeyDisabled', 900, true);
    times.keyEvent('k', 0n, 'KeyCreated', 50, false);
    expect(times.key('k')).toEqual({ revision: 1n, createdMs: 100, maxTimeMs: 300, complete: true });
  });

  it("leaves a handler's out-of-turn event to the log, and marks a gap in the log as incomplete", () => {
    const times = new TimeIndex();
    times.keyEvent('k', 0n, 'KeyCreated', 100, true);
    times.keyEvent('k', 2n, 'KeyEnabled', 300, false);
    expect(times.key('k')).toMatchObject({ revision: 0n, maxTimeMs: 100, complete: true });
    times.keyEvent('other', 3n, 'KeyEnabled', 300, false);
    expect(times.key('other')).toBeUndefined();
    times.keyEvent('k', 2n, 'KeyEnabled', 300, true);
    expect(times.key('k')).toMatchObject({ revision: 2n, maxTimeMs: 300, complete: false });
  });

  it('answers where an alias pointed at any time', () => {
    const times = new TimeIndex();
    times.aliasEvent('alias/a', 0n, 'AliasCreated', { targetKeyId: 'k1' }, 10, true);
    times.aliasEvent('alias/a', 1n, 'AliasMoved', { toKeyId: 'k2' }, 20, true);
    times.aliasEvent('alias/a', 1n, 'AliasMoved', { toKeyId: 'k2' }, 20, false);
    times.aliasEvent('alias/a', 2n, 'AliasDeleted', {}, 30, true);
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
