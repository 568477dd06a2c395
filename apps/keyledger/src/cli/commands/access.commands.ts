import { DomainError, parseKeyIdentifier } from '@keyledger/ledger';
import { AccessReplay, accessReviewCsv } from '../../authorization/access-replay.js';
import { parseJson } from '../api/ledger-api-client.js';
import { argument, parseAsOf, type Command, type CommandInput } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';
import { toJsonText, writeOut } from '../cli-output.js';
import {
  API_OPTIONS_HELP,
  STORE_OPTIONS_HELP,
  apiClientOf,
  apiOptions,
  openDirectStore,
  regionOf,
  storeOptions,
} from '../connection.js';

/**
 * Who could use a key, as of any time: the CLI face of GET /v1/keys/{id}/access, POST /v1/access/simulate
 * and GET /v1/reports/access-review. Direct mode replays the ledger files; API mode asks a running server.
 */
const connectionOptions = { ...storeOptions, ...apiOptions };
const CONNECTION_HELP = `${STORE_OPTIONS_HELP}\n\n${API_OPTIONS_HELP}`;

async function withAccess<T>(input: CommandInput, body: (access: AccessReplay) => Promise<T>): Promise<T> {
  const store = openDirectStore(input.values, input.io.env);
  try {
    return await body(new AccessReplay(store));
  } finally {
    await store.close();
  }
}

/** The key id of a key id or key ARN, for direct mode (the server parses it itself in API mode). */
function keyIdOf(input: CommandInput, value: string, command: string): string {
  const named = parseKeyIdentifier(
    value,
    { region: regionOf(input.values, input.io.env), accountId: input.io.env.KEYLEDGER_ACCOUNT_ID || '111122223333' },
    { allowAlias: false },
  );
  if (named instanceof DomainError || named.kind !== 'key')
    throw new UsageError(`'${value}' is not a key id or key ARN`, command);
  return named.keyId;
}

export const accessCommand: Command = {
  name: 'access',
  summary: 'who could use a key at a point in time, and which statement or grant allows each operation',
  positionals: { min: 1, max: 1, names: '<keyId>' },
  options: { ...connectionOptions, 'as-of': { type: 'string' } },
  help: `Usage: keyledger access <keyId | key ARN> [--as-of <time>] [--data-dir <dir> | --url <url>]

The key policy in force at --as-of (ISO 8601, default now), the active grants, and for
each principal of the directory at that time the operations it could call, with the
statement Sid or grant id that allows each one and its conditions, as JSON.

${CONNECTION_HELP}`,
  async run(input) {
    const asOf = parseAsOf(input.values['as-of'], 'access');
    const keyId = argument(input.positionals, 0, accessCommand);
    const api = apiClientOf(input.values, input.io.env, 'access');
    const result = api
      ? parseJson(await api.get(['v1', 'keys', keyId, 'access'], { asOf: asOf.toISOString() }))
      : await withAccess(input, (a) => a.whoCould(keyIdOf(input, keyId, 'access'), asOf.getTime()));
    await writeOut(input.io.stdout, `${toJsonText(result)}\n`);
    return 0;
  },
};

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'would a principal have been allowed an action on a key at a point in time, and why',
  positionals: { min: 0, max: 0, names: '' },
  options: {
    ...connectionOptions,
    principal: { type: 'string' },
    action: { type: 'string' },
    'key-id': { type: 'string' },
    'encryption-context': { type: 'string' },
    'source-ip': { type: 'string' },
    'as-of': { type: 'string' },
  },
  help: `Usage: keyledger simulate --principal <name | ARN> --action <kms:Action> --key-id <key>
                          [--encryption-context <json>] [--source-ip <ip>] [--as-of <time>] […]

Evaluates the request as Keyledger would have at --as-of (default now): the key policy,
the grants and the principal's identity policy as they stood then. Prints the decision
(ALLOWED, EXPLICIT_DENY or IMPLICIT_DENY) and the statements and grants that decided it.

${CONNECTION_HELP}`,
  async run(input) {
    const { values } = input;
    const asOf = parseAsOf(values['as-of'], 'simulate');
    const required = (name: 'principal' | 'action' | 'key-id'): string => {
      const value = values[name];
      if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`, 'simulate');
      return value;
    };
    const principal = required('principal');
    const action = required('action');
    const keyId = required('key-id');
    let encryptionContext: Record<string, string> | undefined;
    if (values['encryption-context'] !== undefined) {
      try {
        encryptionContext = JSON.parse(String(values['encryption-context'])) as Record<string, string>;
      } catch {
        throw new UsageError('--encryption-context must be a JSON object of strings', 'simulate');
      }
    }
    const sourceIp = values['source-ip'] as string | undefined;
    const question = {
      principal,
      action,
      ...(encryptionContext === undefined ? {} : { encryptionContext }),
      ...(sourceIp === undefined ? {} : { sourceIp }),
    };
    const api = apiClientOf(values, input.io.env, 'simulate');
    const result = api
      ? parseJson(await api.post(['v1', 'access', 'simulate'], { ...question, keyId, asOf: asOf.toISOString() }))
      : await withAccess(input, (a) =>
          a.simulate({ ...question, keyId: keyIdOf(input, keyId, 'simulate'), asOf: asOf.getTime() }),
        );
    await writeOut(input.io.stdout, `${toJsonText(result)}\n`);
    return 0;
  },
};

/** `keyledger report access-review`: every principal × key × allowed operation at --as-of. */
export async function accessReviewReport(input: CommandInput, asOf: Date, format: 'json' | 'csv'): Promise<string> {
  const api = apiClientOf(input.values, input.io.env, 'report');
  if (api) {
    const response = await api.get(['v1', 'reports', 'access-review'], { asOf: asOf.toISOString(), format });
    return format === 'json' ? `${toJsonText(parseJson(response))}\n` : response.text;
  }
  const rows = await withAccess(input, (a) => a.accessReview(asOf.getTime()));
  return format === 'json' ? `${toJsonText({ asOf: asOf.toISOString(), rows })}\n` : accessReviewCsv(rows);
}
