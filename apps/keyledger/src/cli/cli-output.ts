/** JSON for people and scripts alike: bigints as decimal strings (JSON has no 64-bit integers), Buffers as base64. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, jsonReplacer, 2);
}

export function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  // JSON.stringify has already called Buffer#toJSON by now: {type:'Buffer', data:[…]}.
  if (
    value !== null &&
    typeof value === 'object' &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  ) {
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  }
  return value;
}

/** Resolves once `text` is handed to the OS, so exiting afterwards loses nothing when stdout is a pipe. */
export function writeOut(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');
