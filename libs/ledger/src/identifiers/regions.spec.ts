import { describe, expect, it } from 'vitest';
import { keyStreamName, aliasStreamName, KEY_STREAM_PREFIX } from '../streams.js';
import { bareId, isRegionName, regionalId, regionOf, servesRegion } from './regions.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('region names', () => {
  it.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'ap-southeast-5'])('given %s, then a region name', (r) => {
    expect(isRegionName(r)).toBe(true);
  });
  it.each(['US-EAST-1', 'us-east', 'useast1', 'us-east-1x', ' us-east-1', 'us-east-1@x', 'u-east-1', ''])(
    'given %j, then not a region name',
    (r) => expect(isRegionName(r)).toBe(false),
  );
});

describe('served regions', () => {
  it('given a list, then only its regions are served', () => {
    const scope = { homeRegion: 'us-east-1', served: ['us-east-1', 'eu-west-1'] };
    expect(servesRegion(scope, 'eu-west-1')).toBe(true);
    expect(servesRegion(scope, 'us-east-1')).toBe(true);
    expect(servesRegion(scope, 'ap-south-1')).toBe(false);
  });
  it('given *, then any well-formed region name and nothing else', () => {
    const scope = { homeRegion: 'us-east-1', served: '*' as const };
    expect(servesRegion(scope, 'ap-south-1')).toBe(true);
    expect(servesRegion(scope, 'not-a-region')).toBe(false);
  });
});

describe('regional ids (stream names)', () => {
  it('given the home region, then the id as it always was: ledgers written before regions need no migration', () => {
    expect(regionalId(KEY_ID, 'us-east-1', 'us-east-1')).toBe(KEY_ID);
    expect(keyStreamName(regionalId(KEY_ID, 'us-east-1', 'us-east-1'))).toBe(`key-${KEY_ID}`);
  });
  it('given another region, then the id qualified by it, still under the key and alias prefixes', () => {
    const id = regionalId(KEY_ID, 'eu-west-1', 'us-east-1');
    expect(keyStreamName(id)).toBe(`key-${KEY_ID}@eu-west-1`);
    expect(keyStreamName(id).startsWith(KEY_STREAM_PREFIX)).toBe(true);
    expect(aliasStreamName(regionalId('alias/app', 'eu-west-1', 'us-east-1'))).toBe('alias-alias/app@eu-west-1');
  });
  it('given a regional id, then its bare id and region come back', () => {
    const id = regionalId(KEY_ID, 'eu-west-1', 'us-east-1');
    expect(bareId(id)).toBe(KEY_ID);
    expect(regionOf(id, 'us-east-1')).toBe('eu-west-1');
    expect(bareId(KEY_ID)).toBe(KEY_ID);
    expect(regionOf(KEY_ID, 'us-east-1')).toBe('us-east-1');
  });
  it('given an @ at the very start, then the split is still there: nothing before it, the region after it', () => {
    expect(bareId('@eu-west-1')).toBe('');
    expect(regionOf('@eu-west-1', 'us-east-1')).toBe('eu-west-1');
    expect(bareId(`${KEY_ID}@`)).toBe(KEY_ID);
    expect(regionOf(`${KEY_ID}@`, 'us-east-1')).toBe('');
  });
});
