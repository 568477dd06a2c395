import { describe, expect, it } from 'vitest';
import { MAX_SOURCE_ADDRESSES } from '@keyledger/ledger';
import { UsageAggregator, type KeyUsageBatch, type UsageObservation } from './usage-aggregator.js';

const T0 = Date.parse('2026-03-01T12:00:10.000Z');
/** The events of one regional key's batch (the home test region unless named). */
const batchOf = (batches: KeyUsageBatch[], keyId: string, region = 'us-east-1') =>
  batches.find((b) => b.keyId === keyId && b.region === region)?.events;

const use = (over: Partial<UsageObservation> = {}): UsageObservation => ({
  region: 'us-east-1',
  keyId: 'k1',
  keyMaterialId: 'm1',
  principal: 'arn:aws:iam::111122223333:user/alice',
  operation: 'Decrypt',
  at: T0,
  requestId: 'r1',
  sourceAddress: '127.0.0.1',
  ...over,
});

describe('UsageAggregator', () => {
  it('given uses of two backing keys by two principals, when drained, then each combination is counted apart', () => {
    const a = new UsageAggregator();
    a.record(use());
    a.record(use({ requestId: 'r2', at: T0 + 1000 }));
    a.record(use({ keyMaterialId: 'm2', requestId: 'r3' }));
    a.record(use({ principal: 'arn:aws:iam::111122223333:user/bob', requestId: 'r4' }));
    const events = batchOf(a.drain(), 'k1')!;
    // Within one minute the order of aggregates carries no meaning.
    expect(events.map((e) => [e.data.keyMaterialId, e.data.principal.split('/')[1], e.data.count]).sort()).toEqual([
      ['m1', 'alice', 2],
      ['m1', 'bob', 1],
      ['m2', 'alice', 1],
    ]);
    expect(events[0]!.type).toBe('KeyUsageRecorded');
    expect(events[0]!.data).toMatchObject({
      minute: '2026-03-01T12:00:00.000Z',
      firstAt: '2026-03-01T12:00:10.000Z',
      lastAt: '2026-03-01T12:00:11.000Z',
      lastRequestId: 'r2',
    });
    expect(a.drain()).toEqual([]);
  });

  it('given uses a minute apart, then they are two aggregates, oldest first', () => {
    const a = new UsageAggregator();
    a.record(use({ at: T0 + 60_000, requestId: 'late' }));
    a.record(use());
    expect(batchOf(a.drain(), 'k1')!.map((e) => [e.data.minute, e.data.count])).toEqual([
      ['2026-03-01T12:00:00.000Z', 1],
      ['2026-03-01T12:01:00.000Z', 1],
    ]);
  });

  it('given a refusal, then it is its own event with its error code, and not a last use', () => {
    const a = new UsageAggregator();
    a.record(use({ errorCode: 'DisabledException', keyMaterialId: null }));
    const [event] = batchOf(a.drain(), 'k1')!;
    expect(event).toMatchObject({ type: 'KeyUsageRefused', data: { errorCode: 'DisabledException', count: 1 } });
    expect(a.lastUse('k1', 'us-east-1')).toBeUndefined();
  });

  it('given more source addresses than kept, then the set stays bounded and unique', () => {
    const a = new UsageAggregator();
    for (let i = 0; i < MAX_SOURCE_ADDRESSES + 5; i++) a.record(use({ sourceAddress: `10.0.0.${i % 20}` }));
    a.record(use({ sourceAddress: '10.0.0.0' }));
    const [event] = batchOf(a.drain(), 'k1')!;
    expect(event!.data.sourceAddresses).toHaveLength(MAX_SOURCE_ADDRESSES);
    expect(new Set(event!.data.sourceAddresses).size).toBe(MAX_SOURCE_ADDRESSES);
    expect(event!.data.count).toBe(MAX_SOURCE_ADDRESSES + 6);
  });

  it('given a drained batch put back, then the next drain counts it with what came since', () => {
    const a = new UsageAggregator();
    a.record(use());
    const batch = batchOf(a.drain(), 'k1')!;
    a.record(use({ requestId: 'r2', at: T0 - 5000 }));
    a.restore(batch);
    const [event] = batchOf(a.drain(), 'k1')!;
    expect(event!.data).toMatchObject({ count: 2, firstAt: '2026-03-01T12:00:05.000Z' });
  });

  it('knows the last use exactly before any drain, and keeps it after', () => {
    const a = new UsageAggregator();
    a.record(use({ operation: 'Encrypt', requestId: 'first' }));
    a.record(use({ operation: 'Decrypt', requestId: 'second', at: T0 + 1 }));
    a.record(use({ operation: 'GenerateDataKey', requestId: 'older', at: T0 - 1 }));
    a.drain();
    expect(a.lastUse('k1', 'us-east-1')).toEqual({
      operation: 'Decrypt',
      at: '2026-03-01T12:00:10.001Z',
      requestId: 'second',
    });
  });
  it('given the same key id used in two regions, then each region has its own batch and its own last use', () => {
    const a = new UsageAggregator();
    a.record(use());
    a.record(use({ region: 'eu-west-1', requestId: 'eu', at: T0 + 5 }));
    a.record(use({ region: 'eu-west-1', requestId: 'eu2', at: T0 + 6 }));
    expect(a.lastUse('k1', 'us-east-1')!.requestId).toBe('r1');
    expect(a.lastUse('k1', 'eu-west-1')!.requestId).toBe('eu2');
    expect(a.lastUse('k1', 'ap-south-1')).toBeUndefined();
    const batches = a.drain();
    expect(batches.map((b) => [b.region, b.keyId, b.events.length])).toEqual([
      ['us-east-1', 'k1', 1],
      ['eu-west-1', 'k1', 1],
    ]);
    expect(batchOf(batches, 'k1', 'eu-west-1')![0]!.data).toMatchObject({ region: 'eu-west-1', count: 2 });
    expect(batchOf(batches, 'k1')![0]!.data).toMatchObject({ region: 'us-east-1', count: 1 });
  });

  it('given a batch put back beside a later use of the same aggregate, then the newest use and every address stay', () => {
    const a = new UsageAggregator();
    a.record(use({ requestId: 'late', at: T0 + 20_000, sourceAddress: '10.0.0.1' }));
    const batch = batchOf(a.drain(), 'k1')!;
    a.record(use({ requestId: 'early', at: T0, sourceAddress: '10.0.0.2' }));
    a.restore(batch);
    a.restore(batch);
    const [event] = batchOf(a.drain(), 'k1')!;
    expect(event!.data).toMatchObject({
      count: 3,
      firstAt: '2026-03-01T12:00:10.000Z',
      lastAt: '2026-03-01T12:00:30.000Z',
      lastRequestId: 'late',
    });
    expect(event!.data.sourceAddresses).toEqual(['10.0.0.2', '10.0.0.1']);
    expect(a.pendingCount).toBe(0);
  });

  it('given a refusal put back, then it stays a refusal with its error code', () => {
    const a = new UsageAggregator();
    a.record(use({ errorCode: 'AccessDeniedException', keyMaterialId: null }));
    const batch = batchOf(a.drain(), 'k1')!;
    a.restore(batch);
    expect(a.pendingCount).toBe(1);
    const [event] = batchOf(a.drain(), 'k1')!;
    expect(event).toMatchObject({ type: 'KeyUsageRefused', data: { errorCode: 'AccessDeniedException', count: 1 } });
  });
});
