import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { KmsError } from './kms-error.js';
import { OPERATION_NAMES, OPERATIONS } from './operations.js';
import { fieldsOf, type Shape } from './shapes.js';
import { parseRequest } from './validation.js';

const b64 = (n: number, fill = 0x61) => Buffer.alloc(n, fill).toString('base64');

// One source of truth: the compiled validator and class-validator, both built from
// the @Member declarations, must accept and refuse the same inputs.

interface Sample {
  wire: unknown;
  typed: unknown;
}

/** Strings whose model pattern a run of `a` does not match. */
const PATTERNED_SAMPLES: Readonly<Record<string, string>> = {
  ServicePrincipalType: 'kms.amazonaws.com',
  GrantConstraintSourceArnType: 'arn:aws:s3:us-east-1:111122223333:bucket',
  RegionType: 'eu-west-1',
};

function validSample(shape: Shape): Sample {
  switch (shape.kind) {
    case 'string': {
      const s = shape.enum ? shape.enum[0] : (PATTERNED_SAMPLES[shape.name] ?? 'a'.repeat(Math.max(shape.min ?? 1, 1)));
      return { wire: s, typed: s };
    }
    case 'integer':
      return { wire: shape.min ?? 1, typed: shape.min ?? 1 };
    case 'boolean':
      return { wire: true, typed: true };
    case 'timestamp':
      return { wire: 1767225600, typed: new Date(1767225600_000) };
    case 'blob': {
      const n = Math.max(shape.min ?? 1, 1);
      return { wire: b64(n), typed: Buffer.alloc(n, 0x61) };
    }
    case 'map':
      return { wire: { a: 'b' }, typed: { a: 'b' } };
    case 'list': {
      const m = validSample(shape.member);
      return { wire: [m.wire], typed: [m.typed] };
    }
    case 'structure': {
      const wire: Record<string, unknown> = {};
      const typed: Record<string, unknown> = {};
      for (const f of fieldsOf(shape.type())) {
        const v = validSample(f.shape);
        wire[f.wireName] = v.wire;
        typed[f.wireName] = v.typed;
      }
      return { wire, typed };
    }
  }
}

function invalidSamples(shape: Shape): Sample[] {
  const out: Sample[] = [];
  switch (shape.kind) {
    case 'string':
      if (shape.enum) out.push({ wire: 'NOT_IN_ENUM', typed: 'NOT_IN_ENUM' });
      if (shape.max !== undefined) out.push({ wire: 'a'.repeat(shape.max + 1), typed: 'a'.repeat(shape.max + 1) });
      if (shape.min !== undefined && shape.min > 0)
        out.push({ wire: 'a'.repeat(shape.min - 1), typed: 'a'.repeat(shape.min - 1) });
      if (shape.pattern !== undefined) {
        const s = '\u0100' + 'a'.repeat(Math.max((shape.min ?? 1) - 1, 0));
        out.push({ wire: s, typed: s });
      }
      break;
    case 'integer':
      if (shape.min !== undefined) out.push({ wire: shape.min - 1, typed: shape.min - 1 });
      if (shape.max !== undefined) out.push({ wire: shape.max + 1, typed: shape.max + 1 });
      break;
    case 'blob':
      if (shape.min !== undefined && shape.min > 0)
        out.push({ wire: b64(shape.min - 1), typed: Buffer.alloc(shape.min - 1) });
      if (shape.max !== undefined) out.push({ wire: b64(shape.max + 1), typed: Buffer.alloc(shape.max + 1) });
      break;
    case 'list': {
      if (shape.max !== undefined) {
        const m = validSample(shape.member);
        out.push({ wire: Array(shape.max + 1).fill(m.wire), typed: Array(shape.max + 1).fill(m.typed) });
      }
      for (const bad of invalidSamples(shape.member)) out.push({ wire: [bad.wire], typed: [bad.typed] });
      break;
    }
    case 'structure': {
      const base = validSample(shape);
      for (const f of fieldsOf(shape.type())) {
        for (const bad of invalidSamples(f.shape)) {
          out.push({
            wire: { ...(base.wire as object), [f.wireName]: bad.wire },
            typed: { ...(base.typed as object), [f.wireName]: bad.typed },
          });
        }
      }
      break;
    }
    default:
      break;
  }
  return out;
}

const classValidatorErrors = (dto: new () => object, typed: object): ValidationError[] =>
  validateSync(plainToInstance(dto, typed) as object, { forbidUnknownValues: true });

function fastOutcome(op: string, wire: object): 'ok' | 'invalid' {
  try {
    parseRequest(op, wire);
    return 'ok';
  } catch (e) {
    if (KmsError.is(e) && e.type === 'ValidationException') return 'invalid';
    throw e;
  }
}

describe('compiled rules agree with the class-validator DTOs', () => {
  it('covers every operation of the table', () => {
    expect(OPERATION_NAMES).toHaveLength(48);
    for (const name of OPERATION_NAMES) expect(fieldsOf(OPERATIONS[name].request).length, name).toBeGreaterThan(0);
  });

  for (const name of OPERATION_NAMES) {
    it(name, () => {
      const dto = OPERATIONS[name].request as new () => object;
      const fields = fieldsOf(dto);
      const wire: Record<string, unknown> = {};
      const typed: Record<string, unknown> = {};
      for (const f of fields) {
        // Valid in the model but refused by Keyledger (validation-refusals.spec.ts): not in the valid request.
        if (f.wireName === 'Recipient') continue;
        const v = validSample(f.shape);
        wire[f.wireName] = v.wire;
        typed[f.wireName] = v.typed;
      }
      expect(fastOutcome(name, wire)).toBe('ok');
      expect(classValidatorErrors(dto, typed)).toEqual([]);
      expect(parseRequest(name, wire).input).toEqual(typed);

      let checked = 0;
      for (const f of fields) {
        const variants: Sample[] = [...invalidSamples(f.shape)];
        if (f.required) variants.push({ wire: undefined, typed: undefined });
        for (const bad of variants) {
          const w = { ...wire, [f.wireName]: bad.wire };
          const t = { ...typed, [f.wireName]: bad.typed };
          const cv = classValidatorErrors(dto, t);
          const label = `${name}.${f.wireName} = ${JSON.stringify(bad.wire)?.slice(0, 40)}`;
          expect(fastOutcome(name, w), label).toBe('invalid');
          expect(
            cv.map((e) => e.property),
            label,
          ).toEqual([f.wireName]);
          checked++;
        }
      }
      // Every operation has at least one constrained member.
      expect(checked).toBeGreaterThan(0);
    });
  }
});
