import type { EventStore } from '@keyledger/event-store';
import { AsOfStates } from '../as-of-states.js';
import type { LedgerQueryOptions, SharedProjection } from '../query-support.js';
import { backingKeyUsage, type BackingKeysReport } from './backing-key-usage.js';
import { deletionImpact, type DeletionImpact } from './deletion-impact.js';
import { keyUsage, type KeyUsageFilter, type KeyUsageReport } from './key-usage.js';
import { unusedKeys, type UnusedKeysReport } from './unused-keys.js';
import type { UsageContext } from './usage-context.js';

/**
 * The usage ledger's read-side questions, each answered by its own module from the usage streams and the
 * keys' history: who used a key, its backing keys' use, keys nobody uses, what a deletion would break.
 */
export class UsageQueries {
  private readonly context: UsageContext;

  /** Over `shared`, the server's own cache and time index; without it (the CLI on a data directory) its own. */
  constructor(store: EventStore, options: LedgerQueryOptions, shared?: SharedProjection) {
    this.context = { store, options, states: new AsOfStates(store, shared) };
  }

  keyUsage(keyId: string, filter: KeyUsageFilter): Promise<KeyUsageReport> {
    return keyUsage(this.context, keyId, filter);
  }

  backingKeys(keyId: string, filter: { from?: Date; to?: Date; region?: string }): Promise<BackingKeysReport> {
    return backingKeyUsage(this.context, keyId, filter);
  }

  /** Of every region, or of `region` only. */
  unusedKeys(days: number, region?: string): Promise<UnusedKeysReport> {
    return unusedKeys(this.context, days, region);
  }

  /** `region`, in these questions: the key's region; absent, a key ARN's own region, else the home region. */
  deletionImpact(keyId: string, days: number, region?: string): Promise<DeletionImpact> {
    return deletionImpact(this.context, keyId, days, region);
  }
}
