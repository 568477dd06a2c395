/**
 * Knows which subscription's handler is running. unsubscribe() waits for the in-flight
 * handler call to finish; a handler that unsubscribes its own subscription would then wait
 * for itself forever, so unsubscribe() asks this first and returns at once in that case.
 *
 * A plain marker set around the handler's synchronous part, not an AsyncLocalStorage: on
 * Node 20 an AsyncLocalStorage turns on an init hook for every promise, nextTick and native
 * job in the process once it has run, which cost about 5% of every HTTP request and of every
 * replayed event. The marker sees a handler that calls unsubscribe() before its first await
 * (the contract's case); a handler that unsubscribes itself after an await must not await
 * that promise (see Subscription.unsubscribe).
 */
let current: object | undefined;

export function runInHandler<T>(subscription: object, fn: () => T): T {
  const outer = current;
  current = subscription;
  try {
    return fn();
  } finally {
    current = outer;
  }
}

export function isInsideHandlerOf(subscription: object): boolean {
  return current === subscription;
}
