import { EventStoreError } from '@keyledger/event-store';

/**
 * What the requests have learnt about the store's writes: the last append that the
 * store itself could not carry out (a full disk, a read-only file, an I/O error), as
 * opposed to one it refused by the rules (a lost race, a deleted stream). Readiness
 * reports it until an append succeeds again.
 */
export class StoreHealth {
  private failure: string | null = null;

  get lastWriteFailure(): string | null {
    return this.failure;
  }

  appendSucceeded(): void {
    this.failure = null;
  }

  appendFailed(error: unknown): void {
    // The port's own errors are answers (a conflict, a refusal, a time-out readiness checks itself).
    if (error instanceof EventStoreError) return;
    this.failure = `the store could not write the last append (${storageErrorCode(error)})`;
  }
}

/** A SQLite or system error code (SQLITE_FULL, EROFS, …), never the message, which may name data. */
export function storageErrorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'unknown error';
}
