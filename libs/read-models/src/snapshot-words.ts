// Strings a snapshot holds many copies of, shared once read back (projection-snapshot.ts).

// The deserializer makes a new string for every occurrence of a word: 300,000
// backing keys each carried their own copies of 'AWS_KMS', 'NON_CURRENT', ...
const WORDS = new Map<string, string>(
  [
    'AWS_KMS',
    'EXTERNAL',
    'CURRENT',
    'NON_CURRENT',
    'PENDING_ROTATION',
    'DELETED',
    'EXPIRED',
    'DESTROYED',
    'AUTOMATIC',
    'ON_DEMAND',
    'IMPORTED',
    'PENDING_IMPORT',
    'KEY_MATERIAL_EXPIRES',
    'KEY_MATERIAL_DOES_NOT_EXPIRE',
    '',
  ].map((w) => [w, w]),
);
export function word<T extends string | null>(value: T): T {
  return value === null ? value : ((WORDS.get(value) as T | undefined) ?? value);
}

export const NONE: readonly string[] = Object.freeze([]);
