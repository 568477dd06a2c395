import { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString.js';
import type { Credentials } from '@eventstore/db-client';
import { EventStoreError } from '../event-store.port.js';

/**
 * The schemes that select EventStoreDB/KurrentDB, in any case: esdb, kurrentdb,
 * kurrent and kdb (KurrentDB's own spellings), each with an optional +discover.
 */
export const EVENT_STORE_URL = /^(esdb|kurrentdb|kurrent|kdb)(\+discover)?:\/\//i;

export function isEventStoreUrl(url: string): boolean {
  return EVENT_STORE_URL.test(url.trim());
}

/**
 * The 6.x client parses only lower-case esdb:// and esdb+discover://, and
 * refuses anything else with a parse error: KurrentDB's schemes and an
 * upper-case scheme are rewritten to the one it parses.
 */
export function normaliseConnectionString(url: string): string {
  return url
    .trim()
    .replace(EVENT_STORE_URL, (_m, _scheme: string, discover: string | undefined) =>
      discover ? 'esdb+discover://' : 'esdb://',
    );
}

/** In insecure mode (tls=false) the client ignores per-call credentials (createCredentialsMetadataGenerator). */
const IGNORED_IN_INSECURE_MODE: Credentials = { username: 'insecure-mode', password: '' };

/**
 * The credentials each append passes explicitly. The 6.2.1 client sends an
 * append without per-call credentials through its batch-append stream
 * (streams/appendToStream/index.js), whose process-wide promise bank is
 * cleared on a stream error, so a late answer throws `undefined is not
 * iterable` in an event handler: an uncaught exception. With credentials it
 * takes the unary append call, which rejects only its own promise.
 */
export function appendCredentialsOf(connectionString: string): Credentials {
  const options = parseConnectionString(normaliseConnectionString(connectionString));
  if (options.defaultCredentials) return options.defaultCredentials;
  if (options.tls === false) return IGNORED_IN_INSECURE_MODE;
  throw new EventStoreError(
    'The EventStoreDB/KurrentDB connection string names no user: with TLS on, give user:password@ ' +
      '(reading $all needs an admin), or tls=false for an insecure node',
  );
}

/** The connection string as it may be logged: without user and password. */
export function redactConnectionString(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
