import {
  AccessDeniedError as EsdbAccessDeniedError,
  ErrorType,
  MaxAppendSizeExceededError,
  NotLeaderError as EsdbNotLeaderError,
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  UnknownError,
  isCommandError,
} from '@eventstore/db-client';
import {
  AppendTooLargeError,
  EventStoreAccessDeniedError,
  EventStoreError,
  EventStoreUnavailableError,
  InvalidPositionError,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
} from '../event-store.port.js';

// gRPC status codes (grpc-js `status`), for errors the client did not convert.
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_ABORTED = 10;
const GRPC_UNAVAILABLE = 14;
const GRPC_UNAUTHENTICATED = 16;

const RETRYABLE_CODES = new Set([
  GRPC_CANCELLED,
  GRPC_DEADLINE_EXCEEDED,
  GRPC_RESOURCE_EXHAUSTED,
  GRPC_ABORTED,
  GRPC_UNAVAILABLE,
]);

export interface ErrorContext {
  streamName?: string;
  /** The position a read started from, when it named one. */
  position?: bigint;
}

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The client's errors, and the raw gRPC errors it lets through (a refused
 * connection during an append surfaces as a plain Error with code 14), as the
 * port's. The port's own errors pass unchanged.
 */
export function toPortError(error: unknown, context: ErrorContext = {}): Error {
  if (error instanceof EventStoreError) return error;
  const cause = { cause: error };
  const stream = context.streamName ?? '';
  if (error instanceof EsdbStreamNotFoundError) return new StreamNotFoundError(stream || error.streamName);
  if (error instanceof EsdbStreamDeletedError) {
    return new StreamDeletedError(stream || error.streamName, 'it was deleted (tombstoned) in the store', cause);
  }
  if (error instanceof MaxAppendSizeExceededError) return new AppendTooLargeError(stream, error.maxAppendSize, cause);
  // Without the exception header, the server's status text is all that says it (INVALID_ARGUMENT).
  const tooLarge = /Maximum Append Size of (\d+) Exceeded/i.exec(messageOf(error));
  if (tooLarge) return new AppendTooLargeError(stream, Number(tooLarge[1]), cause);
  if (error instanceof EsdbAccessDeniedError) {
    return new EventStoreAccessDeniedError(
      `EventStoreDB refused access (${messageOf(error)}): the connection string's user must be allowed ` +
        'to read $all and write the ledger streams (by default: an admin)',
      cause,
    );
  }
  if (error instanceof EsdbNotLeaderError) {
    return new NotLeaderError(
      `EventStoreDB node is not the leader (leader: ${error.leader.address}:${error.leader.port}) and ` +
        'the request could not be sent to the leader',
      cause,
    );
  }
  // The server answers a read from a position that is not a record boundary with an unknown error.
  if (error instanceof UnknownError && context.position !== undefined) {
    return new InvalidPositionError(context.position, cause);
  }
  if (error instanceof Error && isCommandError(error)) {
    switch (error.type) {
      case ErrorType.UNAVAILABLE:
      case ErrorType.DEADLINE_EXCEEDED:
      case ErrorType.CANCELLED:
      case ErrorType.TIMEOUT:
        return new EventStoreUnavailableError(`EventStoreDB unavailable: ${messageOf(error)}`, cause);
      default:
        return new EventStoreError(`EventStoreDB error (${error.type}): ${messageOf(error)}`, cause);
    }
  }
  const code = grpcCode(error);
  if (code === GRPC_UNAUTHENTICATED || code === GRPC_PERMISSION_DENIED) {
    return new EventStoreAccessDeniedError(`EventStoreDB refused access: ${messageOf(error)}`, cause);
  }
  if (code !== undefined && RETRYABLE_CODES.has(code)) {
    return new EventStoreUnavailableError(`EventStoreDB unavailable: ${messageOf(error)}`, cause);
  }
  if (code !== undefined) return new EventStoreError(`EventStoreDB error (gRPC ${code}): ${messageOf(error)}`, cause);
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Worth another attempt: the node could not be reached or answered in time, or
 * it was not the leader (the client then reconnects to the one it named).
 * Anything else — access denied, invalid argument, unknown (also what a
 * non-EventStoreDB endpoint answers), an error that is not the client's — is
 * fatal: retrying would only hide it.
 */
export function isRetryable(portError: Error): boolean {
  return portError instanceof EventStoreUnavailableError || portError instanceof NotLeaderError;
}
