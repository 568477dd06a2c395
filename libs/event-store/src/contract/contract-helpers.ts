import { randomUUID } from 'node:crypto';
import type { JsonObject, RecordedEvent } from '../event-store.port.js';

const WAIT_TIMEOUT_MS = 10_000;

/**
 * Collects what a subscription delivers, restricted to the test's own streams
 * so the suite also runs against a shared EventStoreDB with other traffic.
 * Tests wait on `until`, which resolves as soon as the events arrived and fails
 * the test after a timeout: no sleeping.
 */
export class Collector {
  readonly events: RecordedEvent[] = [];
  caughtUpAfter: number | undefined;
  caughtUpCalls = 0;
  private waiters: { count: number; resolve(): void }[] = [];
  private caughtUpWaiters: (() => void)[] = [];

  constructor(private readonly streams: Set<string>) {}

  readonly handler = {
    onEvent: (event: RecordedEvent) => {
      if (!this.streams.has(event.streamName)) return;
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => (this.events.length >= w.count ? (w.resolve(), false) : true));
    },
    onCaughtUp: () => {
      this.caughtUpCalls++;
      this.caughtUpAfter ??= this.events.length;
      for (const resolve of this.caughtUpWaiters.splice(0)) resolve();
    },
  };

  until(count: number): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve) => this.waiters.push({ count, resolve })),
      `expected ${count} events, got ${this.events.length}`,
    );
  }

  caughtUp(): Promise<void> {
    if (this.caughtUpCalls > 0) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => this.caughtUpWaiters.push(resolve)), 'never caught up');
  }

  ids(): string[] {
    return this.events.map((e) => e.id);
  }
}

export function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out: ${message}`)), WAIT_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function uniqueStream(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export function evt(type: string, data: JsonObject = {}, metadata?: JsonObject) {
  return { id: randomUUID(), type, data, ...(metadata ? { metadata } : {}) };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
