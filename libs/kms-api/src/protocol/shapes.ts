import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';

/**
 * The AWS KMS model's shapes (shared/reference/kms-operations.txt), written once.
 * `@Member(shape)` on a request DTO property is the single declaration of a
 * field's rules: it registers the class-validator decorators AND the field spec
 * the compiled hot-path validator (validation.ts) is built from, so the two can
 * never drift apart.
 */

export interface StringShape {
  readonly kind: 'string';
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
  /** As written in the AWS model; shown verbatim in ValidationException messages. Matched against the whole value. */
  readonly pattern?: string;
  readonly enum?: readonly string[];
}
/** Every integer and blob of the model has both bounds (model-shapes.ts), so neither is optional. */
export interface IntegerShape {
  readonly kind: 'integer';
  readonly name: string;
  readonly min: number;
  readonly max: number;
}
export interface BooleanShape {
  readonly kind: 'boolean';
  readonly name: string;
}
export interface BlobShape {
  readonly kind: 'blob';
  readonly name: string;
  readonly min: number;
  readonly max: number;
}
export interface TimestampShape {
  readonly kind: 'timestamp';
  readonly name: string;
}
export interface MapShape {
  readonly kind: 'map';
  readonly name: string;
  readonly key: StringShape;
  readonly value: StringShape;
}
export interface ListShape {
  readonly kind: 'list';
  readonly name: string;
  readonly member: Shape;
  readonly min?: number;
  readonly max?: number;
}
export interface StructureShape {
  readonly kind: 'structure';
  readonly name: string;
  // A thunk: the DTO class may be declared after the shape.
  readonly type: () => new () => object;
}
export type Shape =
  StringShape | IntegerShape | BooleanShape | BlobShape | TimestampShape | MapShape | ListShape | StructureShape;

export interface FieldSpec {
  /** The JSON member name on the wire and in the parsed input (AWS casing, e.g. `KeyId`). */
  readonly wireName: string;
  /** The name AWS puts in ValidationException messages (`keyId`). */
  readonly memberName: string;
  readonly shape: Shape;
  readonly required: boolean;
}

const FIELDS = new WeakMap<object, FieldSpec[]>();

/** The fields declared with `@Member` on a DTO class, in declaration order (AWS reports violations in model order). */
export function fieldsOf(dto: object): readonly FieldSpec[] {
  return FIELDS.get(dto) ?? [];
}

export const toMemberName = (wireName: string): string => wireName.charAt(0).toLowerCase() + wireName.slice(1);

/**
 * Smithy/Java patterns are matched against the whole value here, anchored or not in the model. The pattern is wrapped
 * as written: its own anchors are redundant inside `^(?:…)$`, and cutting a final `$` would break an escaped `\$`.
 */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

function stringDecorators(shape: StringShape, each: boolean): PropertyDecorator[] {
  const o = { each };
  const out: PropertyDecorator[] = [IsString(o)];
  if (shape.min !== undefined && shape.max !== undefined) out.push(Length(shape.min, shape.max, o));
  else if (shape.min !== undefined) out.push(MinLength(shape.min, o));
  else if (shape.max !== undefined) out.push(MaxLength(shape.max, o));
  if (shape.pattern !== undefined) out.push(Matches(compilePattern(shape.pattern), o));
  if (shape.enum !== undefined) out.push(IsIn([...shape.enum], o));
  return out;
}

function classValidatorDecorators(shape: Shape): PropertyDecorator[] {
  switch (shape.kind) {
    case 'string':
      return stringDecorators(shape, false);
    case 'integer':
      return [IsInt(), Min(shape.min), Max(shape.max)];
    case 'boolean':
      return [IsBoolean()];
    case 'timestamp':
      return [IsDate()];
    case 'blob': {
      const { min, max } = shape;
      return [
        ValidateBy({
          name: 'isBlob',
          constraints: [min, max],
          validator: {
            validate: (v: unknown) => isBytes(v) && v.length >= min && v.length <= max,
            defaultMessage: () => `$property must be binary data of ${min} to ${max} bytes`,
          },
        }),
      ];
    }
    case 'map': {
      const keyRe = shape.key.pattern === undefined ? undefined : compilePattern(shape.key.pattern);
      const valRe = shape.value.pattern === undefined ? undefined : compilePattern(shape.value.pattern);
      const ok = (s: unknown, sh: StringShape, re: RegExp | undefined) =>
        typeof s === 'string' &&
        (sh.min === undefined || s.length >= sh.min) &&
        (sh.max === undefined || s.length <= sh.max) &&
        (re === undefined || re.test(s));
      return [
        ValidateBy({
          name: 'isStringMap',
          validator: {
            validate: (v: unknown) =>
              typeof v === 'object' &&
              v !== null &&
              !Array.isArray(v) &&
              Object.entries(v).every(([k, val]) => ok(k, shape.key, keyRe) && ok(val, shape.value, valRe)),
            defaultMessage: () => '$property must be a map of strings',
          },
        }),
      ];
    }
    case 'list': {
      const out: PropertyDecorator[] = [IsArray()];
      if (shape.min !== undefined) out.push(ArrayMinSize(shape.min));
      if (shape.max !== undefined) out.push(ArrayMaxSize(shape.max));
      const m = shape.member;
      if (m.kind === 'string') out.push(...stringDecorators(m, true));
      else if (m.kind === 'structure') out.push(ValidateNested({ each: true }), Type(m.type));
      else throw new Error(`list of ${m.kind} is not used by the KMS model`);
      return out;
    }
    case 'structure':
      return [ValidateNested(), Type(shape.type)];
  }
}

/** Declares a request member: its AWS shape and whether the model marks it required (`*`). */
export function Member(shape: Shape, options: { required?: boolean } = {}): PropertyDecorator {
  const required = options.required === true;
  const decorators = [required ? IsDefined() : IsOptional(), ...classValidatorDecorators(shape)];
  return (target: object, propertyKey: string | symbol) => {
    if (typeof propertyKey !== 'string') throw new Error('@Member needs a string property name');
    for (const d of decorators) d(target, propertyKey);
    const ctor = target.constructor;
    let list = FIELDS.get(ctor);
    if (list === undefined) FIELDS.set(ctor, (list = []));
    list.push({ wireName: propertyKey, memberName: toMemberName(propertyKey), shape, required });
  };
}

export const structure = (name: string, type: () => new () => object): StructureShape => ({
  kind: 'structure',
  name,
  type,
});
export const listOf = (name: string, member: Shape, limits: { min?: number; max?: number } = {}): ListShape => ({
  kind: 'list',
  name,
  member,
  ...limits,
});
