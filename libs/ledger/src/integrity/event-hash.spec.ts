import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  eventHash,
  integrityOf,
  storedEventHash,
  withIntegrity,
  withoutIntegrity,
} from './event-hash.js';

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

describe('canonical text: the cases a remembered shape or the sorting path could get wrong', () => {
  it('writes undefined, functions and symbols in an array as null, and leaves an undefined member out', () => {
    const value = { a: [undefined, () => 1, Symbol('s'), 1], u: undefined };
    expect(canonicalJson(value)).toBe('{"a":[null,null,null,1]}');
    expect(canonicalJson(value)).toBe(definitionCanonicalJson(value));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('given an object whose names are the start of a remembered shape, then only its own members', () => {
    // A shape with more names than the object would read the missing ones from the prototype.
    const wider = [{ pa: 1, toString: 2 }, JSON.parse('{"pb":1,"__proto__":2}'), { pc: 1, constructor: 'c' }];
    const narrower = [{ pa: 1 }, { pb: 1 }, { pc: 1 }];
    for (const value of [...wider, ...narrower]) expect(canonicalJson(value)).toBe(definitionCanonicalJson(value));
    expect(narrower.map((value) => canonicalJson(value))).toEqual(['{"pa":1}', '{"pb":1}', '{"pc":1}']);
  });

  it('given one object as data and as metadata, then the metadata alone leaves out its integrity member', () => {
    const both = { integrity: { hash: 'h', previousHash: null }, time: 't' };
    const expected = definitionEventHash('s', 1n, 'T', both, withoutIntegrity(both), null);
    expect(storedEventHash('s', 1n, 'T', both, both, null)).toBe(expected);
    // And the other way round: an ordinary object seen after metadata of its names keeps its integrity member.
    const metadataFirst = { time: 'u', integrity: 'x' };
    expect(storedEventHash('s', 1n, 'T', {}, metadataFirst, null)).toBe(
      definitionEventHash('s', 1n, 'T', {}, { time: 'u' }, null),
    );
    expect(canonicalJson(metadataFirst)).toBe('{"integrity":"x","time":"u"}');
  });

  it('given objects too wide for a shape, then sorted, undefined members and the metadata integrity left out', () => {
    const wide = (prefix: string) =>
      Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [`${prefix}${(i * 7) % 40}`, i % 5 === 0 ? undefined : i]),
      );
    const data = wide('d');
    const metadata = { ...wide('m'), integrity: { hash: 'h', previousHash: 'p' } };
    expect(canonicalJson(data)).toBe(definitionCanonicalJson(data));
    expect(canonicalJson(data)).not.toContain('"d0"');
    expect(storedEventHash('s', 2n, 'T', data, metadata, 'p')).toBe(
      definitionEventHash('s', 2n, 'T', data, withoutIntegrity(metadata), 'p'),
    );
  });

  it('equals the definition on any values with names prototypes and shapes make awkward (property)', () => {
    const name = fc.constantFrom('a', 'b', 'z', '', '10', '2', 'integrity', 'toString', '__proto__', 'constructor');
    const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(null));
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 3 }), tie('object')),
      // Built from JSON text, so that `__proto__` is an own member, as in parsed event data.
      object: fc
        .array(fc.tuple(name, tie('value')), { maxLength: 5 })
        .map((entries) => JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)}}`)),
    }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (values) => {
        for (const v of values) expect(canonicalJson(v)).toBe(definitionCanonicalJson(v));
      }),
    );
  });
});

describe('integrity link in metadata', () => {
  const event = { streamName: 'key-k', revision: 0n, type: 'T', data: { a: 1 }, metadata: { requestId: 'r' } };

  it('given an event, then its metadata with the link: previous hash and its own hash', () => {
    const metadata = withIntegrity(event, 'prev');
    expect(metadata).toEqual({ requestId: 'r', integrity: { previousHash: 'prev', hash: eventHash(event, 'prev') } });
    expect(integrityOf(metadata)).toEqual({ previousHash: 'prev', hash: eventHash(event, 'prev') });
    expect(eventHash(event, 'prev')).not.toBe(eventHash(event, null));
    expect(withoutIntegrity(metadata)).toEqual({ requestId: 'r' });
  });

  it('given metadata with no link or a link without a text hash, then no integrity', () => {
    for (const metadata of [null, undefined, {}, { integrity: null }, { integrity: {} }, { integrity: { hash: 7 } }])
      expect(integrityOf(metadata)).toBeUndefined();
    expect(integrityOf({ integrity: { hash: '', previousHash: null } })).toEqual({ hash: '', previousHash: null });
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
