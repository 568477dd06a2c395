import { resolve } from 'node:path';
import type { EventStore } from '@keyledger/event-store';
import { systemClock } from '@keyledger/ledger';
import { LedgerQueries } from '@keyledger/read-models';
import { LedgerApiClient } from './api/ledger-api-client.js';
import type { CliIo, OptionSpec, OptionValues } from './cli-command.js';
import { UsageError } from './cli-errors.js';
import { openLedger } from './direct-store.js';

/** The store a direct-mode command reads: the embedded ledger, or EventStoreDB when the server uses it. */
export const storeOptions: OptionSpec = {
  'data-dir': { type: 'string' },
  'eventstore-url': { type: 'string' },
};

export const apiOptions: OptionSpec = {
  url: { type: 'string' },
  'access-key-id': { type: 'string' },
  'secret-access-key': { type: 'string' },
  region: { type: 'string' },
};

export const STORE_OPTIONS_HELP = `Direct mode (default) reads the ledger files itself and is meant for a stopped
server; it only reads, so running it beside a server on the same data directory
is safe (SQLite WAL) but sees the ledger as of its own start.
  --data-dir <dir>         the server's data directory (default: $KEYLEDGER_DATA_DIR or ./data)
  --eventstore-url <url>   read EventStoreDB/KurrentDB instead of the embedded store
                           (default: $KEYLEDGER_EVENTSTORE_URL)`;

export const API_OPTIONS_HELP = `API mode asks a running server through its signed /v1 ledger API:
  --url <url>              the server, e.g. http://127.0.0.1:8080
  --access-key-id <id>     default: $AWS_ACCESS_KEY_ID
  --secret-access-key <s>  default: $AWS_SECRET_ACCESS_KEY
  --region <region>        default: $KEYLEDGER_REGION, $AWS_REGION or us-east-1`;

/** Every ledger question can be asked either way: of the ledger files, or of a running server. */
export const connectionOptions: OptionSpec = { ...storeOptions, ...apiOptions };

export const CONNECTION_HELP = `${STORE_OPTIONS_HELP}\n\n${API_OPTIONS_HELP}`;

export function dataDirOf(values: OptionValues, env: NodeJS.ProcessEnv): string {
  return resolve((values['data-dir'] as string | undefined) || env.KEYLEDGER_DATA_DIR || './data');
}

export function regionOf(values: OptionValues, env: NodeJS.ProcessEnv): string {
  return (values.region as string | undefined) || env.KEYLEDGER_REGION || env.AWS_REGION || 'us-east-1';
}

export function openDirectStore(values: OptionValues, env: NodeJS.ProcessEnv): EventStore {
  return openLedger({
    dataDir: dataDirOf(values, env),
    eventStoreUrl: (values['eventstore-url'] as string | undefined) || env.KEYLEDGER_EVENTSTORE_URL || undefined,
  });
}

export function apiClientOf(
  values: OptionValues,
  env: NodeJS.ProcessEnv,
  command: string,
): LedgerApiClient | undefined {
  const url = values.url as string | undefined;
  if (!url) {
    for (const name of ['access-key-id', 'secret-access-key', 'region'])
      if (values[name] !== undefined) throw new UsageError(`--${name} only applies with --url`, command);
    return undefined;
  }
  if (values['data-dir'] !== undefined || values['eventstore-url'] !== undefined) {
    throw new UsageError(
      '--url (API mode) cannot be combined with --data-dir or --eventstore-url (direct mode)',
      command,
    );
  }
  checkServerUrl(url, command);
  const accessKeyId = (values['access-key-id'] as string | undefined) || env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = (values['secret-access-key'] as string | undefined) || env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new UsageError(
      'API mode needs credentials: --access-key-id and --secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      command,
    );
  }
  return new LedgerApiClient(url, { accessKeyId, secretAccessKey }, regionOf(values, env));
}

/** The server's base URL, as a person may mistype it: say what is wrong, not what fetch() makes of it. */
function checkServerUrl(url: string, command: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url '${url}' is not a URL; give the server's address, e.g. http://127.0.0.1:8080`, command);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--url '${url}' must start with http:// or https://`, command);
  if (parsed.username || parsed.password)
    throw new UsageError('--url must not carry credentials; use --access-key-id/--secret-access-key', command);
  if (parsed.search || parsed.hash || (parsed.pathname !== '/' && parsed.pathname !== ''))
    throw new UsageError(`--url '${url}' must be the server's address alone, without a path or query`, command);
}

/** The account and home region direct mode reads the ledger as: the server's own defaults, from the same env. */
export function directScope(values: OptionValues, env: NodeJS.ProcessEnv) {
  return { region: regionOf(values, env), accountId: env.KEYLEDGER_ACCOUNT_ID || '111122223333', clock: systemClock };
}

/** Runs `body` over the direct-mode store and closes the store whatever happens. */
export async function withDirectStore<T>(
  values: OptionValues,
  io: CliIo,
  body: (store: EventStore) => Promise<T>,
): Promise<T> {
  const store = openDirectStore(values, io.env);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

/** Runs `body` over the direct-mode queries and closes the store whatever happens. */
export function withDirectQueries<T>(
  values: OptionValues,
  io: CliIo,
  body: (queries: LedgerQueries) => Promise<T>,
): Promise<T> {
  return withDirectStore(values, io, (store) => body(new LedgerQueries(store, directScope(values, io.env))));
}
