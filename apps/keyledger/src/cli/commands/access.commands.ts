import { DomainError } from '@keyledger/ledger';
import { checkRegion, regionalKey } from '@keyledger/read-models';
import { AccessReplay, accessReviewCsv } from '../../authorization/access-replay.js';
import { argument, parseAsOf, type Command, type CommandInput } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';
import { CONNECTION_HELP, connectionOptions, directScope, withDirectStore } from '../connection.js';
import { KEY_REGION, KEY_REGION_HELP, keyRegionOf, printAnswer, printReport, regionQuery } from '../ledger-question.js';

/**
 * Who could use a key, as of any time: the CLI face of GET /v1/keys/{id}/access, POST /v1/access/simulate
 * and GET /v1/reports/access-review. Direct mode replays the ledger files; API mode asks a running server.
 */
function withAccess<T>(input: CommandInput, body: (access: AccessReplay) => Promise<T>): Promise<T> {
  return withDirectStore(input.values, input.io, (store) => body(new AccessReplay(store)));
}

/**
 * The ledger id of a key id or key ARN in --key-region (else the ARN's own region, else the home region), for
 * direct mode (the server parses it itself in API mode).
 */
function keyRefOf(input: CommandInput, value: string, command: string): string {
  const options = directScope(input.values, input.io.env);
  let region: string | undefined;
  try {
    region = checkRegion(keyRegionOf(input.values));
  } catch {
    throw new UsageError(`--key-region '${keyRegionOf(input.values)}' is not a region name`, command);
  }
  try {
    return regionalKey(options, value, region).ref;
  } catch (error) {
    if (error instanceof DomainError) throw new UsageError(`'${value}' is not a key id or key ARN`, command);
    throw error;
  }
}

export const accessCommand: Command = {
  name: 'access',
  summary: 'who could use a key at a point in time, and which statement or grant allows each operation',
  positionals: { min: 1, max: 1, names: '<keyId>' },
  options: { ...connectionOptions, 'as-of': { type: 'string' }, ...KEY_REGION },
  help: `Usage: keyledger access <keyId | key ARN> [--as-of <time>] [--key-region <region>]
                       [--data-dir <dir> | --url <url>]

The key policy in force at --as-of (ISO 8601, default now), the active grants, and for
each principal of the directory at that time the operations it could call, with the
statement Sid or grant id that allows each one and its conditions, as JSON.

${KEY_REGION_HELP}

${CONNECTION_HELP}`,
  async run(input) {
    const asOf = parseAsOf(input.values['as-of'], 'access');
    const keyId = argument(input.positionals, 0, accessCommand);
    return printAnswer(input, 'access', {
      api: (client) =>
        client.get(['v1', 'keys', keyId, 'access'], {
          asOf: asOf.toISOString(),
          ...regionQuery(keyRegionOf(input.values)),
        }),
      direct: () => withAccess(input, (a) => a.whoCould(keyRefOf(input, keyId, 'access'), asOf.getTime())),
    });
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
    ...KEY_REGION,
  },
  help: `Usage: keyledger simulate --principal <name | ARN> --action <kms:Action> --key-id <key>
                          [--encryption-context <json>] [--source-ip <ip>] [--as-of <time>]
                          [--key-region <region>] […]

Evaluates the request as Keyledger would have at --as-of (default now): the key policy,
the grants and the principal's identity policy as they stood then. Prints the decision
(ALLOWED, EXPLICIT_DENY or IMPLICIT_DENY) and the statements and grants that decided it.

${KEY_REGION_HELP}

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
    return printAnswer(input, 'simulate', {
      api: (client) =>
        client.post(['v1', 'access', 'simulate'], {
          ...question,
          keyId,
          asOf: asOf.toISOString(),
          ...regionQuery(keyRegionOf(input.values)),
        }),
      direct: () =>
        withAccess(input, (a) =>
          a.simulate({ ...question, keyId: keyRefOf(input, keyId, 'simulate'), asOf: asOf.getTime() }),
        ),
    });
  },
};

/** `keyledger report access-review`: every principal × key × allowed operation at --as-of. */
export function accessReviewReport(input: CommandInput, asOf: Date, format: 'json' | 'csv'): Promise<number> {
  return printReport(input, 'report', format, {
    api: (client) =>
      client.get(['v1', 'reports', 'access-review'], {
        asOf: asOf.toISOString(),
        format,
        ...regionQuery(keyRegionOf(input.values)),
      }),
    direct: async () => ({
      asOf: asOf.toISOString(),
      rows: await withAccess(input, (a) => a.accessReview(asOf.getTime(), keyRegionOf(input.values))),
    }),
    csv: (report) => accessReviewCsv(report.rows),
  });
}
