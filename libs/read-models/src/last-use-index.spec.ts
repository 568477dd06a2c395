import type { RecordedEvent } from '@keyledger/event-store';
import { describe, expect, it } from 'vitest';
import { LastUseIndex } from './last-use-index.js';

let position = 0n;
const usage = (ref: string, lastAt: string, requestId: string, type = 'KeyUsageRecorded'): RecordedEvent => ({
  id: `e${++position}`,
  streamName: `usage-${ref}`,
  type,
  data: { operation: 'Decrypt', principal: 'arn:aws:iam::111122223333:user/app', lastAt, lastRequestId: requestId },
  metadata: {},
  recordedAt: new Date(0),
  revision: 0n,
  position,
});
const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;

describe('LastUseIndex', () => {
  it('answers nothing for a key it has not seen whole, and merges what it was fed meanwhile into a scan', () => {
    const index = new LastUseIndex();
    expect(index.lastUse('k')).toBeUndefined();
    index.applyRecorded(usage('k', at(5), 'fed'));
    // A use seen live is a lower bound, not the answer: older usage may not have been read.
    expect(index.lastUse('k')).toBeUndefined();
    // The scan read before the live use was delivered: the newer of the two is the answer.
    expect(index.learn('k', { at: at(3), operation: 'Encrypt', principal: 'p', requestId: 'scanned' })).toMatchObject({
      at: at(5),
      requestId: 'fed',
    });
    index.applyRecorded(usage('k', at(4), 'older, flushed late'));
    expect(index.lastUse('k')?.requestId).toBe('fed');
    index.applyRecorded(usage('k', at(6), 'newer'));
    expect(index.lastUse('k')).toEqual({
      at: at(6),
      operation: 'Decrypt',
      principal: 'arn:aws:iam::111122223333:user/app',
      requestId: 'newer',
    });
    expect(index.learn('never', null)).toBeNull();
    expect(index.lastUse('never')).toBeNull();
  });

  it('counts successes of usage streams only, the one appended later winning a tie', () => {
    const index = new LastUseIndex();
    index.markWhole();
    index.applyRecorded(usage('k', at(9), 'refused', 'KeyUsageRefused'));
    index.applyRecorded({ ...usage('k', at(9), 'not usage'), streamName: 'key-k' });
    expect(index.lastUse('k')).toBeNull();
    index.applyRecorded(usage('k', at(2), 'first'));
    index.applyRecorded(usage('k', at(2), 'second'));
    expect(index.lastUse('k')?.requestId).toBe('second');
  });

  it('once whole, knows every key; forgetting completeness makes each key to be learnt again', () => {
    const index = new LastUseIndex();
    index.applyRecorded(usage('k', at(2), 'before whole'));
    index.markWhole();
    expect(index.lastUse('k')?.requestId).toBe('before whole');
    expect(index.lastUse('other')).toBeNull();
    const saved = index.contents();
    index.forgetCompleteness();
    expect(index.lastUse('k')).toBeUndefined();
    expect(index.lastUse('other')).toBeUndefined();
    // What was known stays a lower bound for the next scan.
    expect(index.learn('k', null)?.requestId).toBe('before whole');
    const restored = new LastUseIndex();
    restored.restore(saved);
    expect(restored.lastUse('k')?.requestId).toBe('before whole');
    expect(restored.lastUse('other')).toBeNull();
  });
});
