import { parseJson, type ApiResponse, type LedgerApiClient } from './api/ledger-api-client.js';
import type { CommandInput, OptionValues } from './cli-command.js';
import { toJsonText, writeOut } from './cli-output.js';
import { apiClientOf } from './connection.js';

/**
 * The one shape of the CLI's ledger questions (history, state, reports, usage, access, …): a command parses its
 * options, then the question goes to a running server's signed /v1 ledger API (--url) or is answered from the
 * ledger files (direct mode), and the answer is printed alike whichever answered it.
 */
export interface LedgerQuestion<T> {
  /** API mode: the request whose body is the answer. */
  api(client: LedgerApiClient): Promise<ApiResponse>;
  /** Direct mode: the same answer, read from the ledger files. */
  direct(): Promise<T>;
}

/** Asks `question` where the connection options point and prints the answer as JSON. */
export async function printAnswer(input: CommandInput, command: string, question: LedgerQuestion<unknown>) {
  const client = apiClientOf(input.values, input.io.env, command);
  const answer = client ? parseJson(await question.api(client)) : await question.direct();
  await writeOut(input.io.stdout, `${toJsonText(answer)}\n`);
  return 0;
}

/**
 * A report in --format json|csv. In API mode the server renders either (its CSV printed as it came); in direct
 * mode the JSON is the report itself and `csv` renders its rows with the same columns as the server's.
 */
export async function printReport<T>(
  input: CommandInput,
  command: string,
  format: 'json' | 'csv',
  question: LedgerQuestion<T> & { csv(report: T): string },
) {
  const client = apiClientOf(input.values, input.io.env, command);
  let text: string;
  if (client) {
    const response = await question.api(client);
    text = format === 'json' ? `${toJsonText(parseJson(response))}\n` : response.text;
  } else {
    const report = await question.direct();
    text = format === 'json' ? `${toJsonText(report)}\n` : question.csv(report);
  }
  await writeOut(input.io.stdout, text);
  return 0;
}

// --region is the signing region of --url; the region a question is about is --key-region.
export const KEY_REGION = { 'key-region': { type: 'string' } } as const;
export const KEY_REGION_HELP = `  --key-region <region>    the key's region (default: a key ARN's own, else KEYLEDGER_REGION)`;
export const keyRegionOf = (values: OptionValues) => values['key-region'] as string | undefined;
/** --key-region as the ledger API's `region` query or body field: absent when not given. */
export const regionQuery = (region: string | undefined): Record<string, string> =>
  region === undefined ? {} : { region };

/** Rows for toCsv: a report's typed rows are plain records of their columns. */
export const csvRows = (items: readonly object[]) => items as unknown as Array<Record<string, unknown>>;
