import { StreamNotFoundError, type EventStore } from '@keyledger/event-store';
import { aliasStreamName, DomainError, keyStreamName } from '@keyledger/ledger';
import { toHistoryEvent, type HistoryEvent } from './history.js';
import { aliasArnOf, keyArnOf } from '@keyledger/ledger';
import type { AsOfStates } from './as-of-states.js';
import type { LedgerQueryOptions } from './query-support.js';
import { checkRegion, regionalAlias, regionalKey } from './regional-keys.js';

/** The whole story of one key or alias: every event of its stream, oldest first. */
export class StreamHistory {
  constructor(
    private readonly store: EventStore,
    private readonly options: LedgerQueryOptions,
    private readonly states: AsOfStates,
  ) {}

  /**
   * `region`: the region to look in; absent, a key ARN's own, else the home region. An alias names the key it
   * points at now in that region (a key's history is its whole life).
   */
  async keyHistory(keyId: string, region?: string): Promise<{ keyId: string; region: string; events: HistoryEvent[] }> {
    const namesAlias = keyId.startsWith('alias/') || keyId.includes(':alias/');
    if (namesAlias) await this.states.catchUp();
    const key = regionalKey(this.options, keyId, region, {
      times: this.states.times,
      asOfMs: this.options.clock.now().getTime(),
    });
    try {
      const events = await this.store.readStream(keyStreamName(key.ref));
      return { keyId: key.keyId, region: key.region, events: events.map(toHistoryEvent) };
    } catch (error) {
      if (error instanceof StreamNotFoundError)
        throw new DomainError('NotFound', `Key '${keyArnOf(key.scope, key.keyId)}' does not exist`);
      throw error;
    }
  }

  async aliasHistory(
    aliasName: string,
    region?: string,
  ): Promise<{ aliasName: string; region: string; events: HistoryEvent[] }> {
    if (aliasName === '') throw new DomainError('Validation', 'aliasName must not be empty');
    const inRegion = checkRegion(region) ?? this.options.region;
    try {
      const events = await this.store.readStream(aliasStreamName(regionalAlias(this.options, aliasName, inRegion)));
      return { aliasName, region: inRegion, events: events.map(toHistoryEvent) };
    } catch (error) {
      if (error instanceof StreamNotFoundError)
        throw new DomainError(
          'NotFound',
          `Alias ${aliasArnOf({ region: inRegion, accountId: this.options.accountId }, aliasName)} is not found.`,
        );
      throw error;
    }
  }
}
