import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, eventHash, storedEventHash, withoutIntegrity } from './event-hash.js';

/** The definition of the canonical text, written plainly: the oracle the one implementation is held to. */
function definitionCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(definitionCanonicalJson).join(',')}]`;
  const entries = Object.keys(value as object)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${definitionCanonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** eventHash of the event in 'event hash format', computed with the code every ledger so far was written by. */
const PINNED = '2309fd174208d0b022d72f5608a9ce7e42ff535dc46b68971d45c44324185453';

function definitionEventHash(
  stream: string,
  revision: bigint,
  type: string,
  data: unknown,
  metadata: unknown,
  previousHash: string | null,
): string {
  return createHash('sha256')
    .update('keyledger/event/v1\n')
    .update(definitionCanonicalJson({ stream, revision: revision.toString(), type, data, metadata, previousHash }))
    .digest('hex');
}

describe('canonical text and event hash', () => {
  it('equals eventHash and canonicalJson on awkward values', () => {
    const values: unknown[] = [
      { b: 1, a: [1, 'x', null, { z: true, y: [] }], '\u00e9': 'é', 'a"b': '\n\u2028', n: -0.5e-7, u: undefined },
      [],
      {},
      'string',
      // Past 2^53 on purpose: the canonical text of a number JSON.parse has rounded.
      // eslint-disable-next-line no-loss-of-precision
      12345678901234567890,
      { nested: { deeper: { deepest: ['a', { k: 'v', j: 'w' }] } } },
    ];
    for (const value of values) expect(canonicalJson(value)).toBe(definitionCanonicalJson(value));
    const metadata = {
      time: '2025-01-01T00:00:00.000Z',
      actor: { principal: 'p', accessKeyId: null },
      integrity: { previousHash: null, hash: 'h' },
    };
    for (const value of values) {
      const data = value as Record<string, unknown>;
      const expected = definitionEventHash('key-x', 7n, 'T', data, withoutIntegrity(metadata), 'prev');
      expect(storedEventHash('key-x', 7n, 'T', data, metadata, 'prev')).toBe(expected);
      expect(
        eventHash({ streamName: 'key-x', revision: 7n, type: 'T', data, metadata: withoutIntegrity(metadata) }, 'prev'),
      ).toBe(expected);
    }
  });

  it('equals them on objects of one shape, of many shapes, and of shapes too big or too many to remember', () => {
    const values: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      // One shape, seen again; the same names in another order; members left out by undefined, first in order or all.
      values.push(
        { z: i, a: `v${i}`, m: [i, { q: 1, p: 2 }] },
        { a: `w${i}`, m: null, z: -i },
        { a: undefined, b: i },
        { b: undefined, a: undefined },
      );
      // Array-index names, which objects keep in numeric order, and an own __proto__ member.
      values.push(JSON.parse(`{"10":${i},"2":"two","b":{"1":true,"01":false},"__proto__":{"integrity":${i}}}`));
    }
    // More names than a shape holds; more shapes with one first name than are remembered; a member named `integrity`
    // below the top.
    values.push(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i])));
    for (let i = 0; i < 40; i++) values.push({ first: i, [`second${i}`]: { integrity: i, [`n${i % 3}`]: 'x' } });
    for (const value of values) expect(canonicalJson(value)).toBe(definitionCanonicalJson(value));
    for (const value of values) {
      const data = value as Record<string, unknown>;
      for (const metadata of [
        { integrity: { previousHash: null, hash: 'h' }, time: 't', actor: { principal: 'p', accessKeyId: null } },
        { time: 't', integrity: 'anything', data: value },
        { time: 't' },
      ]) {
        const expected = definitionEventHash('key-x', 7n, 'T', data, withoutIntegrity(metadata), null);
        expect(storedEventHash('key-x', 7n, 'T', data, metadata, null)).toBe(expected);
      }
    }
  });
});

describe('event hash format', () => {
  it('is the one every stored ledger was chained with', () => {
    // Pinned: a change here would make every existing ledger fail verify.
    const metadata = {
      actor: { principal: 'arn:aws:iam::111122223333:user/admin', accessKeyId: 'AKIA', sourceAddress: null },
      requestId: 'r',
      time: '2026-01-01T00:00:00.000Z',
    };
    expect(
      eventHash(
        { streamName: 'key-k', revision: 3n, type: 'KeyEnabled', data: { b: [1, 'x'], a: null }, metadata },
        'p',
      ),
    ).toBe(PINNED);
  });
});
