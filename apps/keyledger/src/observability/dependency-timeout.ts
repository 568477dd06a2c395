import { EventStoreUnavailableError } from '@keyledger/event-store';
import { KmsError } from '@keyledger/kms-api';

/** AWS's text for the exception (every KMS operation lists it); the SDKs retry it with back-off. */
export const DEPENDENCY_TIMEOUT_MESSAGE =
  'The system timed out while trying to fulfill the request. You can retry the request.';

/**
 * A store that did not answer in time, or could not be reached, is the server's
 * dependency failing, not the client's mistake: AWS answers that case with
 * `503 DependencyTimeoutException`, which the SDKs retry. Everything else passes unchanged.
 */
export function dependencyTimeoutOf(error: unknown): unknown {
  return error instanceof EventStoreUnavailableError
    ? new KmsError('DependencyTimeoutException', DEPENDENCY_TIMEOUT_MESSAGE, 503)
    : error;
}
