import { setTimeout as sleep } from 'node:timers/promises';
import {
  createEventStore,
  EventStoreUnavailableError,
  redactConnectionString,
  type EventStore,
} from '@keyledger/event-store';

/** The store did not answer before KEYLEDGER_STARTUP_TIMEOUT_MS: main prints this one line and exits non-zero. */
export class StartupTimeoutError extends Error {
  override name = 'StartupTimeoutError';
}

export interface StoreStartupOptions {
  /** The whole wait, from the first attempt. */
  deadlineMs: number;
  /** What the operator reads: the store, without credentials. */
  storeName: string;
  /** One line per failed attempt. */
  log(message: string): void;
  /** The longest a single attempt may take; each is also cut to what is left of the deadline. */
  attemptMs?: number;
}

const reasonOf = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${(error.message.split('\n', 1)[0] ?? '').trim()}` : String(error);

/**
 * Waits until the store answers a read, retrying with back-off while it is
 * unreachable, each retry logged on one line with its reason. A store that
 * answers wrongly (credentials refused, not an event store) is not retried: that
 * does not heal by waiting. Past the deadline: StartupTimeoutError, so that the
 * process exits with one line instead of waiting forever before it listens.
 */
export async function waitForStore(store: EventStore, options: StoreStartupOptions): Promise<void> {
  const started = Date.now();
  const attemptMs = options.attemptMs ?? 5_000;
  let delayMs = 200;
  let lastReason = '';
  for (let attempt = 1; ; attempt++) {
    const left = options.deadlineMs - (Date.now() - started);
    if (attempt > 1 && left <= 0)
      throw new StartupTimeoutError(
        `${options.storeName} did not answer within ${options.deadlineMs} ms ` +
          `(KEYLEDGER_STARTUP_TIMEOUT_MS) after ${attempt - 1} attempts: ${lastReason}`,
      );
    try {
      await store.checkConnection(Math.max(1, Math.min(attemptMs, left)));
      return;
    } catch (error) {
      if (!(error instanceof EventStoreUnavailableError)) throw error;
      lastReason = reasonOf(error);
      const remaining = options.deadlineMs - (Date.now() - started);
      if (remaining > 0) {
        options.log(
          `${options.storeName} not answering (attempt ${attempt}): ${lastReason}; retrying for up to ${remaining} ms more`,
        );
        await sleep(Math.min(delayMs, remaining));
        delayMs = Math.min(delayMs * 2, 2_000);
      }
    }
  }
}

/**
 * For EventStoreDB, before the data directory is opened: a store that never answers
 * then ends the start with nothing written (no root key, no vault, no credentials).
 */
export async function awaitEventStoreBeforeStart(
  eventStoreUrl: string,
  deadlineMs: number,
  log: (message: string) => void,
): Promise<void> {
  const store = createEventStore({ dataDir: '', eventStoreUrl, log });
  try {
    await waitForStore(store, {
      deadlineMs,
      storeName: `the event store at ${redactConnectionString(eventStoreUrl)}`,
      log,
    });
  } finally {
    await store.close().catch(() => undefined);
  }
}
