import { describe, expect, it } from 'vitest';
import { connectionSource } from './connection-source.js';

describe('connectionSource: what the per-source connection limit counts by (issue 11 point 1)', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::FFFF:192.0.2.7', '192.0.2.7'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.7', '64:ff9b:0:0::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
  ])('%s counts as %s', (address, source) => {
    expect(connectionSource(address)).toBe(source);
  });

  it('two addresses of one /64 are one source; addresses of neighbouring /64s are not', () => {
    expect(connectionSource('2001:db8:0:1::a')).toBe(connectionSource('2001:db8:0:1:dead:beef:0:1'));
    expect(connectionSource('2001:db8:0:1::a')).not.toBe(connectionSource('2001:db8:0:2::a'));
    expect(connectionSource('2001:db8:0:1::a')).not.toBe(connectionSource('2001:db9:0:1::a'));
  });

  it('leaves what is not an IP address as it is', () => {
    expect(connectionSource('')).toBe('');
    expect(connectionSource('not an address')).toBe('not an address');
  });
});
