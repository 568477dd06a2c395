import 'reflect-metadata';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KmsError } from './kms-error.js';
import { OPERATION_NAMES, OPERATIONS } from './operations.js';
import { fieldsOf } from './shapes.js';
import { parseRequest } from './validation.js';

/** Any outcome but a 4xx KmsError is a crash: a 500 on the wire, retried by every SDK. */
function outcome(operation: string, body: unknown): 'parsed' | 'refused' {
  try {
    parseRequest(operation, body);
    return 'parsed';
  } catch (error) {
    if (!KmsError.is(error)) throw error;
    expect(error.statusCode).toBeGreaterThanOrEqual(400);
    expect(error.statusCode).toBeLessThan(500);
    return 'refused';
  }
}

// Strings that matter to a parser: lone surrogates, prototype names, nothing at all.
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\ud800', '\udfff', 'a\ud800b', '__proto__', 'constructor', '', '=', 'YQ==', 'YQ'),
);
const anyJson = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue(),
  nastyString,
  fc.dictionary(nastyString, fc.oneof(nastyString, fc.jsonValue())),
  fc.array(fc.oneof(nastyString, fc.jsonValue()), { maxLength: 20 }),
  fc.integer(),
  fc.double(),
);

describe('the request parser never crashes (issue 11, property)', () => {
  it('any JSON value in any member of any operation parses or is refused with a 4xx', () => {
    const memberOf = fc.constantFrom(...OPERATION_NAMES).chain((operation) => {
      const members = fieldsOf(OPERATIONS[operation].request).map((f) => f.wireName);
      return fc.record({
        operation: fc.constant(operation),
        body: fc.dictionary(fc.oneof(fc.constantFrom(...members), nastyString), anyJson, { maxKeys: 6 }),
      });
    });
    fc.assert(
      fc.property(memberOf, ({ operation, body }) => {
        outcome(operation, body);
        // The same body as text, as the server gets it.
        outcome(operation, JSON.stringify(body));
      }),
      { numRuns: 1500 },
    );
  });

  it('any bytes as a body are parsed or refused with a 4xx', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPERATION_NAMES), fc.uint8Array({ maxLength: 256 }), (operation, bytes) => {
        outcome(operation, Buffer.from(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('a lone surrogate anywhere in a string member is refused, never parsed', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'), fc.string(), (a, lone, b) => {
        expect(outcome('Encrypt', { KeyId: 'k', Plaintext: 'YQ==', EncryptionContext: { k: `${a}${lone}${b}` } })).toBe(
          'refused',
        );
        expect(outcome('CreateKey', { Description: `${a}${lone}${b}` })).toBe('refused');
      }),
      { numRuns: 300 },
    );
  });
});
