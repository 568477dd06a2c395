import { isIPv4, isIPv6 } from 'node:net';

/** `fe80::1%eth0` without its zone index. */
const withoutZone = (address: string): string => address.split('%', 1)[0] ?? address;

/** Eight 16-bit groups of an IPv6 address in its full form, or undefined when it is not one. */
function hextets(address: string): number[] | undefined {
  let text = withoutZone(address);
  // An IPv4 tail (::ffff:192.0.2.1, 64:ff9b::192.0.2.1) is two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4 !== undefined) {
    if (!isIPv4(v4)) return undefined;
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const missing = 8 - front.length - back.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined;
  return [...front, ...Array<number>(missing).fill(0), ...back];
}

/**
 * What the per-source connection limit counts by. An IPv4 address is one source. An
 * IPv6 client usually holds a whole /64 (one subnet is what a host or a home gets), so
 * counting single addresses would let one client open the limit again from each of
 * 2^64 addresses: its /64 is one source. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`,
 * as a dual-stack socket reports IPv4 clients) is its IPv4 address.
 */
export function connectionSource(address: string): string {
  if (!isIPv6(withoutZone(address))) return address;
  const groups = hextets(address);
  if (!groups) return address;
  const [, , , , , mapped, high = 0, low = 0] = groups;
  if (groups.slice(0, 5).every((g) => g === 0) && mapped === 0xffff)
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
