import type { CurrentRevision, ExpectedRevision } from './event-store.port.js';

/**
 * The errors the port promises. An adapter translates its engine's errors
 * into these, so a caller never has to know a client library's classes or a
 * raw gRPC status. `cause` keeps the engine's own error for the log.
 */
export class EventStoreError extends Error {
  override name = 'EventStoreError';
}

export class WrongExpectedVersionError extends EventStoreError {
  override name = 'WrongExpectedVersionError';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: CurrentRevision,
  ) {
    super(`Append to stream '${streamName}' failed: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

export class StreamNotFoundError extends EventStoreError {
  override name = 'StreamNotFoundError';
  constructor(readonly streamName: string) {
    super(`Stream '${streamName}' not found`);
  }
}

/** The caller's mistake (empty stream name, unserialisable data, …): nothing was written. */
export class InvalidAppendError extends EventStoreError {
  override name = 'InvalidAppendError';
}

/** The stream was deleted in the store (EventStoreDB: soft-deleted or tombstoned); nothing was written. */
export class StreamDeletedError extends EventStoreError {
  override name = 'StreamDeletedError';
  constructor(
    readonly streamName: string,
    detail = 'it was deleted in the store',
    options?: { cause?: unknown },
  ) {
    super(`Stream '${streamName}' cannot be written: ${detail}`, options);
  }
}

/** The store refused the credentials, or the user may not do this (EventStoreDB: reading $all needs an admin). */
export class EventStoreAccessDeniedError extends EventStoreError {
  override name = 'EventStoreAccessDeniedError';
}

/** The store could not be reached or did not answer in time: retrying later may succeed. */
export class EventStoreUnavailableError extends EventStoreError {
  override name = 'EventStoreUnavailableError';
}

/** The node is not the cluster leader and following the leader did not succeed; nothing was written. */
export class NotLeaderError extends EventStoreError {
  override name = 'NotLeaderError';
}

/** One append is larger than the store accepts (EventStoreDB: MaxAppendSize, 1 MiB by default); nothing written. */
export class AppendTooLargeError extends EventStoreError {
  override name = 'AppendTooLargeError';
  constructor(
    readonly streamName: string,
    readonly maxAppendSize: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `Append to '${streamName}' is larger than the store accepts` +
        (maxAppendSize === undefined ? '' : ` (${maxAppendSize} bytes)`) +
        ': split it into smaller appends',
      options,
    );
  }
}

/**
 * A read from a position this store did not give (EventStoreDB: not a record
 * boundary of its log): typically a position kept from another store.
 */
export class InvalidPositionError extends EventStoreError {
  override name = 'InvalidPositionError';
  constructor(
    readonly position: bigint,
    options?: { cause?: unknown },
  ) {
    super(`Position ${position} is not a position of this store (kept from another store?)`, options);
  }
}
