/**
 * JSON 1.1 response bodies: blobs as base64, timestamps as epoch seconds
 * (fractional when the Date has milliseconds), undefined members dropped.
 *
 * Blobs and dates are put in their wire form before JSON.stringify, not in a
 * replacer: JSON.stringify calls toJSON before any replacer, and a Buffer's
 * toJSON copies every byte into an array of numbers, on every response.
 * Objects and arrays without a blob or date in them are handed over as they are.
 */
export function serializeResponse(output: unknown): string {
  if (output === undefined || output === null) return '{}';
  return JSON.stringify(toWire(output));
}

function toWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    // Stryker disable next-line EqualityOperator: one index past the end reads undefined, which toWire returns as is
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const wire = toWire(item);
      // Stryker disable next-line ConditionalExpression: a copy with the same members writes the same JSON
      if (wire !== item) (out ??= value.slice())[i] = wire;
    }
    return out ?? value;
  }
  // Anything else with its own JSON form (not a plain object) keeps it.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    const wire = toWire(member);
    // Stryker disable next-line ConditionalExpression: a copy with the same members writes the same JSON
    if (wire !== member) (out ??= { ...(value as Record<string, unknown>) })[key] = wire;
  }
  return out ?? value;
}
