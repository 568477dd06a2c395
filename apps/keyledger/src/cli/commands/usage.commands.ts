import { toCsv, UsageQueries } from '@keyledger/read-models';
import { UNUSED_KEYS_COLUMNS, USAGE_COLUMNS } from '../../usage/usage-openapi.js';
import {
  argument,
  parseAsOf,
  parseFormat,
  parsePositiveInteger,
  type CliIo,
  type Command,
  type CommandInput,
  type OptionValues,
} from '../cli-command.js';
import { UsageError } from '../cli-errors.js';
import { CONNECTION_HELP, connectionOptions, directScope, withDirectStore } from '../connection.js';
import {
  KEY_REGION,
  KEY_REGION_HELP,
  csvRows,
  keyRegionOf,
  printAnswer,
  printReport,
  regionQuery,
} from '../ledger-question.js';

const MAX_DAYS = 36_500;

/** Runs `body` over the usage questions on the ledger files and closes the store whatever happens. */
function withDirectUsage<T>(values: OptionValues, io: CliIo, body: (usage: UsageQueries) => Promise<T>) {
  return withDirectStore(values, io, (store) => body(new UsageQueries(store, directScope(values, io.env))));
}

/** --from/--to as given, or undefined for the server's default window. */
function optionalTime(values: OptionValues, option: string, command: string): Date | undefined {
  return values[option] === undefined ? undefined : parseAsOf(values[option], command, option);
}

function days(values: OptionValues, command: string, fallback: number): number {
  const n = parsePositiveInteger(values.days, 'days', command) ?? fallback;
  if (n > MAX_DAYS) throw new UsageError(`--days must be at most ${MAX_DAYS}`, command);
  return n;
}

export const usageCommand: Command = {
  name: 'usage',
  summary: 'who used a key, for which operation and backing key, in a window',
  positionals: { min: 1, max: 1, names: '<keyId>' },
  options: {
    ...connectionOptions,
    from: { type: 'string' },
    to: { type: 'string' },
    'group-by': { type: 'string' },
    format: { type: 'string' },
    ...KEY_REGION,
  },
  help: `Usage: keyledger usage <keyId | key ARN> [--from <time>] [--to <time>] [--group-by <dims>]
                      [--key-region <region>] [--format json|csv] [--data-dir <dir> | --url <url>]

Successful uses and refused attempts of the key, from the usage ledger, counted per group.

  --from, --to <time>      window of use times, ISO 8601 (default: the 30 days up to now)
  --group-by <dims>        principal, operation, keyMaterialId or day, or a comma list
                           (default principal,operation,keyMaterialId)
  --format json|csv        json (default): the whole answer; csv: one row per group
${KEY_REGION_HELP}

Usage is appended every KEYLEDGER_USAGE_FLUSH_MS: the last interval may not be in it yet.

${CONNECTION_HELP}`,
  async run(input) {
    const { values, io, positionals } = input;
    const keyId = argument(positionals, 0, usageCommand);
    const from = optionalTime(values, 'from', 'usage');
    const to = optionalTime(values, 'to', 'usage');
    const format = parseFormat(values.format, 'usage');
    const groupBy = values['group-by'] as string | undefined;
    const region = keyRegionOf(values);
    return printReport(input, 'usage', format, {
      api: (client) =>
        client.get(['v1', 'keys', keyId, 'usage'], {
          from: from?.toISOString(),
          to: to?.toISOString(),
          groupBy,
          format,
          ...regionQuery(region),
        }),
      direct: () => withDirectUsage(values, io, (q) => q.keyUsage(keyId, { from, to, groupBy, region })),
      csv: (report) => toCsv(csvRows(report.groups), USAGE_COLUMNS),
    });
  },
};

export const backingKeysCommand: Command = {
  name: 'backing-keys',
  summary: "a key's backing keys: state now, last use, use in a window",
  positionals: { min: 1, max: 1, names: '<keyId>' },
  options: { ...connectionOptions, from: { type: 'string' }, to: { type: 'string' }, ...KEY_REGION },
  help: `Usage: keyledger backing-keys <keyId | key ARN> [--from <time>] [--to <time>] [--key-region <region>]
                             [--data-dir <dir> | --url <url>]

Each backing key (key material) of the key with its state now, its last use, and its
uses by operation in the window: which old backing keys still decrypt traffic, so their
data can be re-encrypted before the material is deleted or expires.

  --from, --to <time>      window of use times, ISO 8601 (default: the 30 days up to now)
${KEY_REGION_HELP}

${CONNECTION_HELP}`,
  async run(input) {
    const { values, io, positionals } = input;
    const keyId = argument(positionals, 0, backingKeysCommand);
    const region = keyRegionOf(values);
    const from = optionalTime(values, 'from', 'backing-keys');
    const to = optionalTime(values, 'to', 'backing-keys');
    return printAnswer(input, 'backing-keys', {
      api: (client) =>
        client.get(['v1', 'keys', keyId, 'backing-keys'], {
          from: from?.toISOString(),
          to: to?.toISOString(),
          ...regionQuery(region),
        }),
      direct: () => withDirectUsage(values, io, (q) => q.backingKeys(keyId, { from, to, region })),
    });
  },
};

export const deletionImpactCommand: Command = {
  name: 'deletion-impact',
  summary: 'who and which backing keys used a key lately: what deleting it would break',
  positionals: { min: 1, max: 1, names: '<keyId>' },
  options: { ...connectionOptions, days: { type: 'string' }, ...KEY_REGION },
  help: `Usage: keyledger deletion-impact <keyId | key ARN> [--days <n>] [--key-region <region>]
                                [--data-dir <dir> | --url <url>]

Before ScheduleKeyDeletion or DeleteImportedKeyMaterial: the principals that used the key
and the backing keys they used in the last --days days (default 30), with when each did
last, the aliases that point at it, and refused attempts.

${KEY_REGION_HELP}

${CONNECTION_HELP}`,
  async run(input) {
    const { values, io, positionals } = input;
    const keyId = argument(positionals, 0, deletionImpactCommand);
    const n = days(values, 'deletion-impact', 30);
    const region = keyRegionOf(values);
    return printAnswer(input, 'deletion-impact', {
      api: (client) =>
        client.get(['v1', 'keys', keyId, 'deletion-impact'], { days: String(n), ...regionQuery(region) }),
      direct: () => withDirectUsage(values, io, (q) => q.deletionImpact(keyId, n, region)),
    });
  },
};

export const UNUSED_KEYS_HELP = `  unused-keys              enabled keys with no successful use in the last --days days
                           (default 90), created before that: candidates for disabling`;

/** `keyledger report unused-keys [--days n] [--format json|csv]`. */
export async function unusedKeysReport(input: CommandInput): Promise<number> {
  const { values, io } = input;
  for (const option of ['as-of', 'max-age-days'])
    if (values[option] !== undefined) throw new UsageError(`--${option} does not apply to unused-keys`, 'report');
  const n = days(values, 'report', 90);
  const format = parseFormat(values.format, 'report');
  const region = keyRegionOf(values);
  return printReport(input, 'report', format, {
    api: (client) => client.get(['v1', 'reports', 'unused-keys'], { days: String(n), format, ...regionQuery(region) }),
    direct: () => withDirectUsage(values, io, (q) => q.unusedKeys(n, region)),
    csv: (report) => toCsv(csvRows(report.keys), UNUSED_KEYS_COLUMNS),
  });
}
