import {
  EventStoreUnavailableError,
  WrongExpectedVersionError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
} from '@keyledger/event-store';
import type { StoreHealth } from './store-health.js';

/** The store did not answer a request's call in time; the KMS API answers it as DependencyTimeoutException. */
export class StoreTimeoutError extends EventStoreUnavailableError {
  override name = 'StoreTimeoutError';
}

export type AppendOutcome = 'ok' | 'conflict' | 'timeout' | 'unavailable' | 'error';

export interface StoreObserver {
  appended(seconds: number, outcome: AppendOutcome, events: number): void;
}

function bounded<T>(call: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreTimeoutError(`the event store did not answer ${what} within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  // The call may still settle after the time-out: its outcome then has no one to tell.
  call.catch(() => undefined);
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}

const outcomeOf = (error: unknown): AppendOutcome =>
  error instanceof StoreTimeoutError
    ? 'timeout'
    : error instanceof EventStoreUnavailableError
      ? 'unavailable'
      : error instanceof WrongExpectedVersionError
        ? 'conflict'
        : 'error';

/**
 * The store as the request path sees it: appends and the reads a request makes are
 * bounded by `timeoutMs`, so a store that went away gives an answer instead of a
 * hang, and every append is timed and its outcome counted. Whole-log reads and the
 * subscription are not bounded: they are long by nature and have their own retries.
 */
export function boundedStore(
  store: EventStore,
  timeoutMs: number,
  observer: StoreObserver,
  health: StoreHealth,
): EventStore {
  return {
    async appendToStream(
      streamName: string,
      events: EventToAppend[],
      options?: { expectedRevision?: ExpectedRevision },
    ) {
      const started = process.hrtime.bigint();
      try {
        const result = await bounded(store.appendToStream(streamName, events, options), timeoutMs, 'an append');
        observer.appended(Number(process.hrtime.bigint() - started) / 1e9, 'ok', events.length);
        health.appendSucceeded();
        return result;
      } catch (error) {
        observer.appended(Number(process.hrtime.bigint() - started) / 1e9, outcomeOf(error), 0);
        health.appendFailed(error);
        throw error;
      }
    },
    readStream: (streamName, options) => bounded(store.readStream(streamName, options), timeoutMs, 'a read'),
    streamRevision: (streamName) => bounded(store.streamRevision(streamName), timeoutMs, 'a read'),
    readAll: (options) => store.readAll(options),
    readAllJson: (options) => store.readAllJson(options),
    subscribeToAll: (options, handler) => store.subscribeToAll(options, handler),
    storeIdentity: () => store.storeIdentity(),
    checkConnection: (deadlineMs) => store.checkConnection(deadlineMs),
    ...(store.headPosition && { headPosition: store.headPosition.bind(store) }),
    close: () => store.close(),
  };
}
