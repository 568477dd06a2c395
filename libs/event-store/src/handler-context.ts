import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Knows which subscription's handler the current async context is running in.
 * unsubscribe() waits for the in-flight handler call to finish; a handler that
 * unsubscribes its own subscription would then wait for itself forever, so
 * unsubscribe() asks this first and returns at once in that case.
 */
const current = new AsyncLocalStorage<object>();

export function runInHandler<T>(subscription: object, fn: () => T): T {
  return current.run(subscription, fn);
}

export function isInsideHandlerOf(subscription: object): boolean {
  return current.getStore() === subscription;
}
