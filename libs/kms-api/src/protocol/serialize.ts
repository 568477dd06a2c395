/**
 * JSON 1.1 response bodies: blobs as base64, timestamps as epoch seconds
 * (fractional when the Date has milliseconds), undefined members dropped.
 * One pass with a JSON.stringify replacer: no intermediate copy of the output.
 */

function replacer(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify calls toJSON before the replacer (Buffer → {type,data},
  // Date → ISO string), so the original is read from the holder.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array) {
    return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64');
  }
  if (original instanceof Date) return original.getTime() / 1000;
  return value;
}

export function serializeResponse(output: unknown): string {
  if (output === undefined || output === null) return '{}';
  return JSON.stringify(output, replacer);
}
