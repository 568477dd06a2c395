import { streamCategory, type StreamFilter } from '@keyledger/event-store';
import { USAGE_STREAM_PREFIX } from '@keyledger/ledger';

/**
 * What the projection (KeyStateCache and TimeIndex) and the as-of replays read of the log: every stream but
 * the usage aggregates (`usage-<id>`, `usage-<id>@<region>`), which they do not fold and which a busy ledger
 * holds far more of than anything else. Their catch-ups leave them out where they are stored (StreamFilter),
 * so a month of usage costs a start or an as-of replay next to nothing.
 */
export const PROJECTED_STREAMS: StreamFilter = { excludeCategories: [streamCategory(USAGE_STREAM_PREFIX)!] };
