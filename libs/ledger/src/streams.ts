export const keyStreamName = (keyId: string): string => `key-${keyId}`;
export const aliasStreamName = (aliasName: string): string => `alias-${aliasName}`;

export const KEY_STREAM_PREFIX = 'key-';
export const ALIAS_STREAM_PREFIX = 'alias-';
