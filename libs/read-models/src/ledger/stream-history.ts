import { StreamNotFoundError, type EventStore } from '@keyledger/event-store';
import { aliasStreamName, DomainError, keyStreamName } from '@keyledger/ledger';
import { toHistoryEvent, type HistoryEvent } from './history.js';
import type { AsOfStates } from './as-of-states.js';
import { aliasArn, keyArn, keyIdAt, type LedgerQueryOptions } from './query-support.js';

/** The whole story of one key or alias: every event of its stream, oldest first. */
export class StreamHistory {
  constructor(
    private readonly store: EventStore,
    private readonly options: LedgerQueryOptions,
    private readonly states: AsOfStates,
  ) {}

  /** An alias names the key it points at now (a key's history is its whole life). */
  async keyHistory(keyId: string): Promise<{ keyId: string; events: HistoryEvent[] }> {
    const namesAlias = keyId.startsWith('alias/') || keyId.includes(':alias/');
    if (namesAlias) await this.states.catchUp();
    const id = keyIdAt(this.options, this.states.view, keyId, this.options.clock.now().getTime());
    try {
      const events = await this.store.readStream(keyStreamName(id));
      return { keyId: id, events: events.map(toHistoryEvent) };
    } catch (error) {
      if (error instanceof StreamNotFoundError)
        throw new DomainError('NotFound', `Key '${keyArn(this.options, id)}' does not exist`);
      throw error;
    }
  }

  async aliasHistory(aliasName: string): Promise<{ aliasName: string; events: HistoryEvent[] }> {
    if (aliasName === '') throw new DomainError('Validation', 'aliasName must not be empty');
    try {
      const events = await this.store.readStream(aliasStreamName(aliasName));
      return { aliasName, events: events.map(toHistoryEvent) };
    } catch (error) {
      if (error instanceof StreamNotFoundError)
        throw new DomainError('NotFound', `Alias ${aliasArn(this.options, aliasName)} is not found.`);
      throw error;
    }
  }
}
