import { describe, expect, it } from 'vitest';
import { regionalId } from '../identifiers/regions.js';
import {
  isTrackedOperation,
  TRACKED_OPERATIONS,
  USAGE_EVENT_TYPES,
  USAGE_STREAM_PREFIX,
  USAGE_TRACKING_STREAM,
  usageStream,
} from './usage-events.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('usage events', () => {
  it.each([...TRACKED_OPERATIONS])('given %s, then a tracked operation', (operation) => {
    expect(isTrackedOperation(operation)).toBe(true);
  });

  it.each(['CreateKey', 'DescribeKey', 'GenerateRandom', 'decrypt', 'Decrypt ', ''])(
    'given %j, then not a tracked operation',
    (name) => expect(isTrackedOperation(name)).toBe(false),
  );

  it("names each regional key's usage stream after it, the home region's as before regions", () => {
    expect(usageStream(KEY_ID)).toBe(`usage-${KEY_ID}`);
    expect(usageStream(regionalId(KEY_ID, 'eu-west-1', 'us-east-1'))).toBe(`usage-${KEY_ID}@eu-west-1`);
    expect(usageStream(KEY_ID).startsWith(USAGE_STREAM_PREFIX)).toBe(true);
    expect(USAGE_TRACKING_STREAM).toBe('usage-tracking');
  });

  it('lists the usage event types, and no other', () => {
    expect([...USAGE_EVENT_TYPES]).toEqual(['KeyUsageRecorded', 'KeyUsageRefused']);
    expect(USAGE_EVENT_TYPES.has('UsageTrackingStarted')).toBe(false);
  });
});
