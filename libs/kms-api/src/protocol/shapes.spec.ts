import 'reflect-metadata';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { compilePattern, fieldsOf, Member, type MapShape, type StringShape } from './shapes.js';

// The @Member declarations' class-validator side, for the shapes the model's own DTOs leave at their defaults
// (validation.spec.ts checks every model DTO against the compiled parser): a blob's bounds and a map whose keys and
// values have constraints, each on both sides.

const str = (over: Partial<StringShape> = {}): StringShape => ({ kind: 'string', name: 'S', ...over });

class BlobHolder {
  @Member({ kind: 'blob', name: 'B', min: 2, max: 4 })
  B?: Uint8Array;
}

const constrainedMap: MapShape = {
  kind: 'map',
  name: 'M',
  key: str({ min: 2, max: 3, pattern: '^[a-z]+$' }),
  value: str({ min: 1, max: 2 }),
};
class MapHolder {
  @Member(constrainedMap)
  M?: unknown;
}
class FreeMapHolder {
  @Member({ kind: 'map', name: 'F', key: str(), value: str() }, { required: true })
  F?: unknown;
}

const errors = (target: object) => validateSync(target).map((e) => Object.values(e.constraints ?? {}).join());
const holding = <T extends object>(Holder: new () => T, values: Partial<T>): T => Object.assign(new Holder(), values);

describe('compilePattern', () => {
  it('given a pattern anchored or not, then it matches the whole value only', () => {
    for (const pattern of ['[a-z]+', '^[a-z]+$', '^[a-z]+', '[a-z]+$']) {
      const re = compilePattern(pattern);
      expect([re.test('abc'), re.test('abc1'), re.test('1abc'), re.test('')], pattern).toEqual([
        true,
        false,
        false,
        false,
      ]);
    }
  });

  it('given alternatives, then each must be the whole value', () => {
    const re = compilePattern('^a|b$');
    expect([re.test('a'), re.test('b'), re.test('ab'), re.test('ba')]).toEqual([true, true, false, false]);
  });

  it('given a pattern ending in an escaped dollar, then the dollar is a character to match', () => {
    expect([compilePattern('a\\$').test('a$'), compilePattern('a\\$').test('a')]).toEqual([true, false]);
  });
});

describe('@Member: the class-validator rules', () => {
  it('given a blob of its least or greatest length, then it passes; one byte either side, or text, then not', () => {
    for (const n of [2, 4]) expect(errors(holding(BlobHolder, { B: Buffer.alloc(n) })), String(n)).toEqual([]);
    for (const value of [Buffer.alloc(1), Buffer.alloc(5), 'abc' as unknown as Uint8Array]) {
      expect(errors(holding(BlobHolder, { B: value }))).toEqual(['B must be binary data of 2 to 4 bytes']);
    }
  });

  it('given a map whose keys and values meet their constraints, then it passes', () => {
    expect(errors(holding(MapHolder, { M: { ab: 'x', abc: 'xy' } }))).toEqual([]);
    expect(errors(holding(MapHolder, { M: {} }))).toEqual([]);
  });

  it('given one key or one value out of bounds or off its pattern, then the map is refused', () => {
    const bad = [{ a: 'x' }, { abcd: 'x' }, { a1: 'x' }, { ab: '' }, { ab: 'xyz' }, { ab: 'x', abc: 1 }];
    for (const M of bad) {
      expect(errors(holding(MapHolder, { M })), JSON.stringify(M)).toEqual(['M must be a map of strings']);
    }
  });

  it('given no object, null, a list, or a value that is not text, then it is not a map', () => {
    for (const F of ['x', [['a', 'b']], { a: 1 }]) {
      expect(errors(holding(FreeMapHolder, { F })), JSON.stringify(F)).toEqual(['F must be a map of strings']);
    }
    expect(errors(holding(FreeMapHolder, { F: null }))).toEqual([
      'F should not be null or undefined,F must be a map of strings',
    ]);
    expect(errors(holding(FreeMapHolder, { F: { '': '' } }))).toEqual([]);
  });

  it('declares each field once, with its wire and member names', () => {
    expect(fieldsOf(MapHolder)).toEqual([{ wireName: 'M', memberName: 'm', shape: constrainedMap, required: false }]);
    expect(fieldsOf(class Bare {})).toEqual([]);
  });
});
