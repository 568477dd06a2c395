import { describe, expect, it } from 'vitest';
import { passesFilter, streamCategory, validateStreamFilter } from './stream-filter.js';

describe('stream categories and filters', () => {
  it('takes the name before the first dash as the category, and none without one before it', () => {
    expect(streamCategory('usage-1234@eu-west-1')).toBe('usage');
    expect(streamCategory('usage-tracking')).toBe('usage');
    expect(streamCategory('key-1234abcd-12ab')).toBe('key');
    expect(streamCategory('principals')).toBeUndefined();
    expect(streamCategory('-odd')).toBeUndefined();
    expect(streamCategory('a-')).toBe('a');
  });

  it('leaves out the named categories only; no filter, or an empty one, leaves out nothing', () => {
    const filter = { excludeCategories: ['usage', 'x'] };
    expect(passesFilter('usage-1', filter)).toBe(false);
    expect(passesFilter('x-1', filter)).toBe(false);
    expect(passesFilter('usagex-1', filter)).toBe(true);
    expect(passesFilter('usage', filter)).toBe(true);
    expect(passesFilter('key-1', filter)).toBe(true);
    expect(passesFilter('usage-1', undefined)).toBe(true);
    expect(passesFilter('usage-1', { excludeCategories: [] })).toBe(true);
  });

  it('refuses a category no stream could have', () => {
    expect(() => validateStreamFilter({ excludeCategories: ['usage'] })).not.toThrow();
    expect(() => validateStreamFilter(undefined)).not.toThrow();
    for (const bad of ['', 'a-b', 3 as unknown as string])
      expect(() => validateStreamFilter({ excludeCategories: [bad] })).toThrow(TypeError);
    expect(() => validateStreamFilter({ excludeCategories: 'usage' as unknown as string[] })).toThrow(TypeError);
  });
});
