import { describe, expect, it } from 'vitest';
import { atLeastAsStrict, constraintsHold } from './grants.js';

describe('grant constraints', () => {
  it('EncryptionContextEquals: the same pairs, keys without case, values with case', () => {
    const equals = { EncryptionContextEquals: { Dept: 'IT' } };
    expect(constraintsHold(equals, { dept: 'IT' })).toBe(true);
    expect(constraintsHold(equals, { Dept: 'it' })).toBe(false);
    expect(constraintsHold(equals, { Dept: 'IT', more: 'x' })).toBe(false);
    expect(constraintsHold(equals, undefined)).toBe(false);
  });

  it('EncryptionContextSubset: the pairs are included, more are welcome', () => {
    const subset = { EncryptionContextSubset: { Dept: 'IT' } };
    expect(constraintsHold(subset, { DEPT: 'IT', more: 'x' })).toBe(true);
    expect(constraintsHold(subset, { more: 'x' })).toBe(false);
    expect(constraintsHold(null, undefined)).toBe(true);
  });

  it('keys are folded to lower case, not upper: straße and STRASSE are different keys (ß upper-cases to SS)', () => {
    // Decided: toLowerCase, so one character never becomes two (a char-by-char comparison without case agrees).
    const subset = { EncryptionContextSubset: { straße: 'x' } };
    expect(constraintsHold(subset, { STRASSE: 'x' })).toBe(false);
    expect(constraintsHold(subset, { STRAßE: 'x' })).toBe(true);
  });

  it('a child grant must be at least as strict as the grant that let it be created', () => {
    const parentSubset = { EncryptionContextSubset: { a: '1' } };
    expect(atLeastAsStrict(null, null)).toBe(true);
    expect(atLeastAsStrict(null, parentSubset)).toBe(false);
    expect(atLeastAsStrict({ EncryptionContextSubset: { a: '1', b: '2' } }, parentSubset)).toBe(true);
    expect(atLeastAsStrict({ EncryptionContextSubset: { b: '2' } }, parentSubset)).toBe(false);
    expect(atLeastAsStrict({ EncryptionContextEquals: { A: '1', b: '2' } }, parentSubset)).toBe(true);
    expect(atLeastAsStrict({ EncryptionContextSubset: { a: '1' } }, { EncryptionContextEquals: { a: '1' } })).toBe(
      false,
    );
    expect(atLeastAsStrict({ EncryptionContextEquals: { a: '1' } }, { EncryptionContextEquals: { a: '1' } })).toBe(
      true,
    );
  });
});
