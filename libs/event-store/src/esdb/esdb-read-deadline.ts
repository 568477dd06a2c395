import { EventStoreUnavailableError } from '../event-store.port.js';

/** A streaming read the caller may cancel (the client's ReadStream has cancel()). */
export type Cancellable = AsyncIterable<unknown> & { cancel?(): Promise<void>; destroy?(): void };

/**
 * Runs `consume` over a streaming read; past deadlineMs the read is cancelled
 * and this fails. A cancelled read ends quietly in the client (it swallows its
 * own cancellation), so the time-out must be its own error, not an early end.
 */
export async function withDeadline(read: Cancellable, deadlineMs: number | undefined, consume: () => Promise<void>) {
  if (deadlineMs === undefined) return consume();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      void Promise.resolve(read.cancel?.())
        .catch(() => undefined)
        .finally(() => read.destroy?.());
      reject(new EventStoreUnavailableError(`EventStoreDB did not answer within ${deadlineMs} ms`));
    }, deadlineMs);
  });
  const consuming = consume();
  // Once the deadline has won, the cancelled read's own ending must not surface as an unhandled rejection.
  consuming.catch(() => undefined);
  try {
    await Promise.race([consuming, timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new EventStoreUnavailableError(`EventStoreDB did not answer within ${deadlineMs} ms`);
}
