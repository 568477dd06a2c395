/**
 * Leaves events out of a read or a subscription of the whole log by their stream's category, so a reader that
 * needs only some streams (the key-state view) does not read the bulk of others (usage aggregates): the store
 * skips them where it stores them (an index in SQLite, a server-side filter on EventStoreDB) instead of handing
 * them over to be dropped. Verify and migration read with no filter: they need every event.
 */
export interface StreamFilter {
  /** Categories whose streams are left out; each non-empty and without '-'. */
  excludeCategories: readonly string[];
}

/**
 * A stream's category, as EventStoreDB's by-category convention has it: its name before the first '-'
 * (`usage-1234@eu-west-1` and `usage-tracking` are in `usage`, `key-1234` in `key`). A name with no '-', or
 * one that starts with it, has none, and no filter leaves it out.
 */
export function streamCategory(streamName: string): string | undefined {
  const dash = streamName.indexOf('-');
  return dash > 0 ? streamName.slice(0, dash) : undefined;
}

/** Whether `filter` (none: nothing is left out) lets the stream's events through. */
export function passesFilter(streamName: string, filter: StreamFilter | undefined): boolean {
  if (!filter || filter.excludeCategories.length === 0) return true;
  const category = streamCategory(streamName);
  return category === undefined || !filter.excludeCategories.includes(category);
}

/** Throws on a category no stream name could have: a filter that silently leaves nothing out is a bug. */
export function validateStreamFilter(filter: StreamFilter | undefined): void {
  if (!filter) return;
  if (!Array.isArray(filter.excludeCategories)) throw new TypeError('excludeCategories must be an array');
  for (const category of filter.excludeCategories) {
    if (typeof category !== 'string' || category === '' || category.includes('-')) {
      throw new TypeError(`Not a stream category: '${String(category)}' (non-empty, without '-')`);
    }
  }
}
