export const keyStreamName = (keyId: string): string => `key-${keyId}`;
export const aliasStreamName = (aliasName: string): string => `alias-${aliasName}`;

export const KEY_STREAM_PREFIX = 'key-';
export const ALIAS_STREAM_PREFIX = 'alias-';

/** The key id a stream belongs to, or undefined for any other stream. */
export const keyIdOfStream = (streamName: string): string | undefined =>
  streamName.startsWith(KEY_STREAM_PREFIX) ? streamName.slice(KEY_STREAM_PREFIX.length) : undefined;
