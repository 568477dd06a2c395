import { readFileSync } from 'node:fs';
import { toCsv } from '@keyledger/read-models';
import { ACCESS_REVIEW_COLUMNS } from '../../authorization/access-replay.js';
import { COMPLIANCE_COLUMNS, INVENTORY_COLUMNS } from '../../ledger-api/openapi.js';
import { argument, parseAsOf, parseFormat, parsePositiveInteger, type Command } from '../cli-command.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import { CONNECTION_HELP, connectionOptions, withDirectQueries } from '../connection.js';
import {
  KEY_REGION,
  KEY_REGION_HELP,
  csvRows,
  keyRegionOf,
  printAnswer,
  printReport,
  regionQuery,
} from '../ledger-question.js';
import { accessReviewReport } from './access.commands.js';
import { UNUSED_KEYS_HELP, unusedKeysReport } from './usage.commands.js';

export { verifyCommand } from './verify.command.js';

export const historyCommand: Command = {
  name: 'history',
  summary: 'every event of a key, oldest first',
  positionals: { min: 1, max: 1, names: '<keyId>' },
  options: { ...connectionOptions, ...KEY_REGION },
  help: `Usage: keyledger history <keyId | key ARN | alias/name | alias ARN> [--key-region <region>]
                         [--data-dir <dir> | --url <url>]

Prints every event of the key's stream as JSON, oldest first, with who made
each change and when. Sealed key material is never shown. An alias names the
key it points at now.

${KEY_REGION_HELP}

${CONNECTION_HELP}`,
  async run(input) {
    const { values, io, positionals } = input;
    const keyId = argument(positionals, 0, historyCommand);
    const region = keyRegionOf(values);
    return printAnswer(input, 'history', {
      api: (client) => client.get(['v1', 'keys', keyId, 'events'], regionQuery(region)),
      direct: () => withDirectQueries(values, io, (q) => q.keyHistory(keyId, region)),
    });
  },
};

export const stateCommand: Command = {
  name: 'state',
  summary: "a key's state at a point in time",
  positionals: { min: 1, max: 1, names: '<keyId>' },
  options: { ...connectionOptions, 'as-of': { type: 'string' }, ...KEY_REGION },
  help: `Usage: keyledger state <keyId | key ARN | alias/name | alias ARN> [--as-of <time>] [--key-region <region>]
                       [--data-dir <dir> | --url <url>]

The key as it was at --as-of (ISO 8601, default now), replayed from its events:
state, backing keys (key materials), rotation, aliases. An alias names the key
it pointed at then.

${KEY_REGION_HELP}

${CONNECTION_HELP}`,
  async run(input) {
    const { values, io, positionals } = input;
    const keyId = argument(positionals, 0, stateCommand);
    const asOf = parseAsOf(values['as-of'], 'state');
    const region = keyRegionOf(values);
    return printAnswer(input, 'state', {
      api: (client) => client.get(['v1', 'keys', keyId], { asOf: asOf.toISOString(), ...regionQuery(region) }),
      direct: () => withDirectQueries(values, io, (q) => q.keyStateAsOf(keyId, asOf, region)),
    });
  },
};

export const replicationCommand: Command = {
  name: 'replication',
  summary: 'a multi-Region key across its regions at a point in time',
  positionals: { min: 1, max: 1, names: '<mrk-keyId>' },
  options: { ...connectionOptions, 'as-of': { type: 'string' } },
  help: `Usage: keyledger replication <mrk-keyId> [--as-of <time>] [--data-dir <dir> | --url <url>]

Every member of a multi-Region key as of --as-of (ISO 8601, default now): its
region, whether it was the primary or a replica, when it was created (and
deleted), and which backing keys it held, each with when it began to hold it
(generated on the primary, arrived in a replica).

${CONNECTION_HELP}`,
  async run(input) {
    const { values, io, positionals } = input;
    const keyId = argument(positionals, 0, replicationCommand);
    const asOf = parseAsOf(values['as-of'], 'replication');
    return printAnswer(input, 'replication', {
      api: (client) => client.get(['v1', 'keys', keyId, 'replication'], { asOf: asOf.toISOString() }),
      direct: () => withDirectQueries(values, io, (q) => q.replicationAsOf(keyId, asOf)),
    });
  },
};

/** base64 text (as the AWS CLI prints CiphertextBlob), fileb://<path> for raw bytes, or '-' for raw bytes on stdin. */
function readBlob(argument: string): Buffer {
  if (argument === '-') return readFileSync(0);
  if (argument.startsWith('fileb://')) {
    try {
      return readFileSync(argument.slice('fileb://'.length));
    } catch (error) {
      throw new CliFailure(`cannot read ${argument}: ${(error as Error).message}`);
    }
  }
  const text = argument.trim();
  if (text === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new UsageError('<blob> must be base64, fileb://<path> or - (raw bytes on stdin)', 'decryptability');
  }
  return Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
}

export const decryptabilityCommand: Command = {
  name: 'decryptability',
  summary: 'could this ciphertext be decrypted at a point in time, and if not, why not',
  positionals: { min: 1, max: 1, names: '<blob>' },
  options: { ...connectionOptions, 'as-of': { type: 'string' }, 'key-id': { type: 'string' }, ...KEY_REGION },
  help: `Usage: keyledger decryptability <blob> [--as-of <time>] [--key-id <key>] [--key-region <region>] […]

Answers from the ledger alone whether the ciphertext could have been decrypted
at --as-of (ISO 8601, default now) and the reason (DECRYPTABLE, KEY_DISABLED,
KEY_DELETED, KEY_MATERIAL_NOT_IMPORTED, …). Nothing is decrypted. The answer is
printed as JSON; "not decryptable" is an answer, so the exit code is 0.

  <blob>                   base64 (as the AWS CLI prints CiphertextBlob),
                           fileb://<path> for a file of raw bytes, or - for raw bytes on stdin
  --key-id <key>           key id or key ARN; needed for an RSA ciphertext, which names no key
  --key-region <region>    the region to decrypt in (default KEYLEDGER_REGION)

${CONNECTION_HELP}`,
  async run(input) {
    const { values, io, positionals } = input;
    const asOf = parseAsOf(values['as-of'], 'decryptability');
    const keyId = values['key-id'] as string | undefined;
    const region = keyRegionOf(values);
    // Read once the connection options are known good, as each mode asks: '-' consumes stdin.
    const blob = () => readBlob(argument(positionals, 0, decryptabilityCommand));
    return printAnswer(input, 'decryptability', {
      api: async (client) =>
        client.post(['v1', 'decryptability'], {
          ciphertextBlob: blob().toString('base64'),
          asOf: asOf.toISOString(),
          ...(keyId === undefined ? {} : { keyId }),
          ...regionQuery(region),
        }),
      direct: async () => {
        const ciphertext = blob();
        return withDirectQueries(values, io, (q) => q.decryptability(ciphertext, asOf, keyId, region));
      },
    });
  },
};

const REPORT_KINDS = ['inventory', 'rotation-compliance', 'unused-keys', 'access-review'] as const;
type ReportKind = (typeof REPORT_KINDS)[number];

/** The columns of the CSV reports, one row per key: the ledger API's own, so the two CSVs cannot drift. */
export const REPORT_COLUMNS: Record<Exclude<ReportKind, 'unused-keys'>, string[]> = {
  inventory: INVENTORY_COLUMNS,
  'rotation-compliance': COMPLIANCE_COLUMNS,
  'access-review': ACCESS_REVIEW_COLUMNS,
};

const DEFAULT_MAX_AGE_DAYS = 365;

export const reportCommand: Command = {
  name: 'report',
  summary: 'inventory | rotation-compliance | unused-keys | access-review, as JSON or CSV',
  positionals: { min: 1, max: 1, names: 'inventory | rotation-compliance | unused-keys | access-review' },
  options: {
    ...connectionOptions,
    'as-of': { type: 'string' },
    format: { type: 'string' },
    'max-age-days': { type: 'string' },
    days: { type: 'string' },
    ...KEY_REGION,
  },
  help: `Usage: keyledger report inventory [--as-of <time>] [--format json|csv] [--data-dir <dir> | --url <url>]
       keyledger report rotation-compliance [--max-age-days <n>] [--as-of <time>] [--format json|csv] […]
       keyledger report unused-keys [--days <n>] [--format json|csv] […]
       keyledger report access-review [--as-of <time>] [--format json|csv] […]

  inventory                every key that existed at --as-of, with aliases, state,
                           rotation, key material age and last use
  rotation-compliance      whether each key's current key material is at most
                           --max-age-days old (default ${DEFAULT_MAX_AGE_DAYS}) at --as-of, and why not
  access-review            every principal × key × operation it could call at --as-of,
                           and the statements or grants that allow it (SOC 2, PCI DSS)
${UNUSED_KEYS_HELP}

  --as-of <time>           ISO 8601 (default now)
  --format json|csv        json (default): the whole report; csv: one row per key
  --key-region <region>    only the keys of this region (default: every region)

${CONNECTION_HELP}`,
  async run(input) {
    const { values, io, positionals } = input;
    const kind = argument(positionals, 0, reportCommand) as ReportKind;
    if (!REPORT_KINDS.includes(kind)) {
      throw new UsageError(`unknown report '${kind}': choose ${REPORT_KINDS.join(' or ')}`, 'report');
    }
    if (kind === 'unused-keys') return unusedKeysReport(input);
    if (values.days !== undefined) throw new UsageError('--days only applies to unused-keys', 'report');
    const asOf = parseAsOf(values['as-of'], 'report');
    const format = parseFormat(values.format, 'report');
    if (kind !== 'rotation-compliance' && values['max-age-days'] !== undefined) {
      throw new UsageError('--max-age-days only applies to rotation-compliance', 'report');
    }
    const maxAgeDays = parsePositiveInteger(values['max-age-days'], 'max-age-days', 'report') ?? DEFAULT_MAX_AGE_DAYS;
    if (kind === 'access-review') return accessReviewReport(input, asOf, format);
    const region = keyRegionOf(values);
    return printReport(input, 'report', format, {
      api: (client) => {
        const query: Record<string, string> = { asOf: asOf.toISOString(), format, ...regionQuery(region) };
        if (kind === 'rotation-compliance') query.maxAgeDays = String(maxAgeDays);
        return client.get(['v1', 'reports', kind], query);
      },
      direct: () =>
        withDirectQueries(values, io, async (q) =>
          kind === 'inventory' ? await q.inventory(asOf, region) : await q.rotationCompliance(asOf, maxAgeDays, region),
        ),
      csv: (report) => toCsv(csvRows(report.keys), REPORT_COLUMNS[kind]),
    });
  },
};
