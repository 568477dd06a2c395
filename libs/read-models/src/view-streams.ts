import { streamCategory, type StreamFilter } from '@keyledger/event-store';
import { USAGE_STREAM_PREFIX } from '@keyledger/ledger';

/**
 * What the key-state view reads of the log: every stream but the usage aggregates (`usage-<id>`,
 * `usage-<id>@<region>`), which it does not fold and which a busy ledger holds far more of than anything
 * else. Its catch-ups leave them out where they are stored (StreamFilter), so a month of usage costs a start
 * or an as-of replay next to nothing.
 */
export const VIEW_STREAMS: StreamFilter = { excludeCategories: [streamCategory(USAGE_STREAM_PREFIX)!] };
