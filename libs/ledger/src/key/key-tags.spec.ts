import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error.js';
import { MAX_TAGS_PER_KEY } from '../quotas.js';
import type { KeyCommand } from './key-commands.js';
import { decideKey } from './key-decider.js';
import type { KeyEvent, Tag } from './key-events.js';
import { evolveKey, initialKeyState, type KeyAggregate } from './key-state.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const T0 = new Date('2026-01-01T00:00:00.000Z');
const createKey = (tags: Tag[]): KeyCommand => ({
  type: 'CreateKey',
  keyId: KEY_ID,
  arn: `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`,
  accountId: '111122223333',
  region: 'us-east-1',
  description: '',
  origin: 'EXTERNAL',
  tags,
  now: T0,
});
const tags = (n: number, prefix = 't'): Tag[] =>
  Array.from({ length: n }, (_, i) => ({ TagKey: `${prefix}${i}`, TagValue: 'v' }));
const apply = (state: KeyAggregate, command: KeyCommand): KeyAggregate => {
  const decision = decideKey(command, state);
  if (decision instanceof DomainError) throw new Error(`${decision.code}: ${decision.message}`);
  return (decision as KeyEvent[]).reduce(evolveKey, state);
};
const refusal = (state: KeyAggregate, command: KeyCommand) => {
  const decision = decideKey(command, state);
  if (!(decision instanceof DomainError)) throw new Error('expected a refusal');
  return { code: decision.code, message: decision.message };
};
const tag = (t: Tag[]): KeyCommand => ({ type: 'TagResource', tags: t, now: T0 });

describe('tags follow AWS (issue 11, point 5): once per key, recorded texts, 50 at most', () => {
  const key = apply(initialKeyState(), createKey([]));

  it('duplicate keys within one request: TagException "Duplicate tag keys", on TagResource and CreateKey', () => {
    const twice = [
      { TagKey: 'a', TagValue: '1' },
      { TagKey: 'a', TagValue: '2' },
    ];
    expect(refusal(key, tag(twice))).toEqual({ code: 'Tag', message: 'Duplicate tag keys' });
    expect(refusal(initialKeyState(), createKey(twice))).toEqual({ code: 'Tag', message: 'Duplicate tag keys' });
    // Keys differing in case are different keys, as in AWS.
    expect(() =>
      apply(
        key,
        tag([
          { TagKey: 'a', TagValue: '1' },
          { TagKey: 'A', TagValue: '2' },
        ]),
      ),
    ).not.toThrow();
  });

  it('a new value replaces the old; the key appears once', () => {
    let state = apply(key, tag([{ TagKey: 'a', TagValue: '1' }]));
    state = apply(state, tag([{ TagKey: 'a', TagValue: '2' }]));
    expect(state.tags).toEqual([{ TagKey: 'a', TagValue: '2' }]);
  });

  it(`${MAX_TAGS_PER_KEY} tags at most, counting replaced keys once: TagException "Too many tags"`, () => {
    const full = apply(key, tag(tags(MAX_TAGS_PER_KEY)));
    expect(full.tags).toHaveLength(MAX_TAGS_PER_KEY);
    expect(refusal(full, tag([{ TagKey: 'one-more', TagValue: '' }]))).toEqual({
      code: 'Tag',
      message: 'Too many tags',
    });
    // Replacing values of tags it has adds none.
    expect(apply(full, tag(tags(MAX_TAGS_PER_KEY))).tags).toHaveLength(MAX_TAGS_PER_KEY);
    expect(refusal(initialKeyState(), createKey(tags(MAX_TAGS_PER_KEY + 1))).message).toBe('Too many tags');
    expect(() => apply(initialKeyState(), createKey(tags(MAX_TAGS_PER_KEY)))).not.toThrow();
  });

  it.each(['aws:x', 'AWS:x', 'Aws:x'])('the reserved prefix in %s, in any case (recorded)', (reserved) => {
    expect(refusal(key, tag([{ TagKey: reserved, TagValue: '' }]))).toEqual({
      code: 'Tag',
      message: 'Tags beginning with aws: are reserved',
    });
  });
});
