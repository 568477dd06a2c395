import { UnknownError } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import {
  AppendTooLargeError,
  EventStoreAccessDeniedError,
  EventStoreError,
  EventStoreUnavailableError,
  InvalidPositionError,
} from '../event-store.port.js';
import { isRetryable, toPortError } from './esdb-errors.js';

const raw = (code: number, message: string) => Object.assign(new Error(message), { code });
const unknown = () =>
  new UnknownError(
    Object.assign(raw(2, '2 UNKNOWN: Exception was thrown by handler.'), {
      details: 'Exception was thrown by handler.',
      metadata: { getMap: () => ({}) },
    }) as never,
  );

describe('toPortError', () => {
  it('maps raw gRPC statuses the client let through', () => {
    expect(toPortError(raw(14, '14 UNAVAILABLE: connect ECONNREFUSED'))).toBeInstanceOf(EventStoreUnavailableError);
    expect(toPortError(raw(4, '4 DEADLINE_EXCEEDED'))).toBeInstanceOf(EventStoreUnavailableError);
    expect(toPortError(raw(16, '16 UNAUTHENTICATED'))).toBeInstanceOf(EventStoreAccessDeniedError);
    const other = toPortError(raw(13, '13 INTERNAL'));
    expect(other).toBeInstanceOf(EventStoreError);
    expect(isRetryable(other)).toBe(false);
  });

  it('reads the append size limit from the status text when the exception header is missing', () => {
    const error = toPortError(raw(3, '3 INVALID_ARGUMENT: Maximum Append Size of 1048576 Exceeded.'), {
      streamName: 's',
    });
    expect(error).toBeInstanceOf(AppendTooLargeError);
    expect(error).toMatchObject({ streamName: 's', maxAppendSize: 1048576 });
  });

  it('takes an unknown error on a read from a named position for an invalid position, and is fatal', () => {
    const error = toPortError(unknown(), { position: 42n });
    expect(error).toBeInstanceOf(InvalidPositionError);
    expect(isRetryable(error)).toBe(false);
    expect(toPortError(unknown())).not.toBeInstanceOf(InvalidPositionError);
    expect(isRetryable(toPortError(unknown()))).toBe(false);
  });

  it("an error that is not the client's is fatal and passes unchanged", () => {
    const bug = new TypeError('undefined is not iterable');
    expect(toPortError(bug)).toBe(bug);
    expect(isRetryable(toPortError(bug))).toBe(false);
  });
});
