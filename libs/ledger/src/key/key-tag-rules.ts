import { DomainError } from '../domain-error.js';
import { MAX_TAGS_PER_KEY } from '../quotas.js';
import type { Tag } from './key-events.js';
import type { KeyAggregate } from './key-state.js';

/** AWS's tag rules, with its recorded texts: a tag key appears once per key, a new value replaces the old. */
export function validateTags(key: KeyAggregate, tags: Tag[]): DomainError | undefined {
  for (const tag of tags) {
    if (tag.TagKey.toLowerCase().startsWith('aws:'))
      return new DomainError('Tag', 'Tags beginning with aws: are reserved');
  }
  const given = new Set<string>();
  for (const tag of tags) {
    if (given.has(tag.TagKey)) return new DomainError('Tag', 'Duplicate tag keys');
    given.add(tag.TagKey);
  }
  let total = given.size;
  for (const t of key.tags) if (!given.has(t.TagKey)) total++;
  if (total > MAX_TAGS_PER_KEY) return new DomainError('Tag', 'Too many tags');
  return undefined;
}
