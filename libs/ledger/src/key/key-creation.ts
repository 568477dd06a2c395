import { DomainError } from '../domain-error.js';
import type { KeyCreated } from './key-events.js';
import type { KeyAggregate } from './key-state.js';
import { validateTags } from './key-tag-rules.js';

/** A decision's instant as recorded in its events. */
export const iso = (time: Date | number): string => new Date(time).toISOString();

/** A new key's `KeyCreated`, or why there can be none: the rule CreateKey and a replica's creation share. */
export function keyCreated(
  key: KeyAggregate,
  { now, ...data }: Omit<KeyCreated['data'], 'createdAt'> & { now: Date | number },
): KeyCreated | DomainError {
  if (key.exists) return new DomainError('AlreadyExists', `Key '${data.arn}' already exists`);
  const tagError = validateTags(key, data.tags);
  if (tagError) return tagError;
  return { type: 'KeyCreated', data: { ...data, createdAt: iso(now) } };
}
