import { KmsError } from '../protocol/kms-error.js';

/** The KmsError `fn` throws; anything else it throws fails the test as it is, and so does throwing nothing. */
export function thrownKmsError(fn: () => unknown): KmsError {
  try {
    fn();
  } catch (e) {
    if (KmsError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a KmsError');
}

/** What the client reads of the KmsError `fn` throws: its `__type` and its message. */
export function wireError(fn: () => unknown): { type: string; message: string } {
  const { type, message } = thrownKmsError(fn);
  return { type, message };
}

export const serializationError = (message: string) => ({ type: 'SerializationException', message });

/** AWS's ValidationException text: the count, then each violation, joined by '; '. */
export const validationError = (...violations: string[]) => ({
  type: 'ValidationException',
  message: `${violations.length} validation error${violations.length === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
});
