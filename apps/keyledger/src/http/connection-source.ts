import { isIPv4, isIPv6 } from 'node:net';

/** Eight 16-bit groups of an IPv6 address in its full form, or undefined when it is not one. */
function hextets(address: string): number[] | undefined {
  let text = address.split('%', 1)[0]!;
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
  if (!isIPv6(address.split('%', 1)[0]!)) return address;
  const groups = hextets(address);
  if (!groups) return address;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
