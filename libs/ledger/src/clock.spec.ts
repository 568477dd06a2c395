import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock.js';
import { keyIdOfStream, keyStreamName, aliasStreamName } from './streams.js';

// Tests move time with ManualClock instead of waiting, so it must move exactly as told and never by itself.
describe('ManualClock: time moves only when told', () => {
  it('given a start, then now() is that instant, every time, as a fresh Date', () => {
    const clock = new ManualClock('2026-01-01T00:00:00.000Z');
    const first = clock.now();
    first.setTime(0);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('when advanced by ms and by days, then it moves by exactly that much', () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
    clock.advance(1_500);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.500Z');
    clock.advanceDays(2);
    expect(clock.now().toISOString()).toBe('2026-01-03T00:00:01.500Z');
  });

  it('when set, then it is at that instant, earlier or later', () => {
    const clock = new ManualClock(new Date('2026-06-01T00:00:00.000Z'));
    clock.set('2025-01-01T12:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2025-01-01T12:00:00.000Z');
  });

  it('given no start, then it starts at the present; the system clock reads the present', () => {
    const before = Date.now();
    const manual = new ManualClock().now().getTime();
    const system = systemClock.now().getTime();
    const after = Date.now();
    expect(manual).toBeGreaterThanOrEqual(before);
    expect(manual).toBeLessThanOrEqual(after);
    expect(system).toBeGreaterThanOrEqual(before);
    expect(system).toBeLessThanOrEqual(after);
  });
});

describe('stream names', () => {
  it('names a key stream and an alias stream, and reads the key id back from a key stream only', () => {
    const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(keyStreamName(keyId)).toBe(`key-${keyId}`);
    expect(aliasStreamName('alias/app')).toBe('alias-alias/app');
    expect(keyIdOfStream(keyStreamName(keyId))).toBe(keyId);
    expect(keyIdOfStream('alias-alias/app')).toBeUndefined();
    expect(keyIdOfStream(`x-key-${keyId}`)).toBeUndefined();
  });
});
