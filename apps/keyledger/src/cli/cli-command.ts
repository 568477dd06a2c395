import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | undefined>;

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Aborted on the first SIGINT/SIGTERM: long commands stop at a safe point. */
  signal: AbortSignal;
}

export interface CommandInput {
  values: OptionValues;
  positionals: string[];
  io: CliIo;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  options: OptionSpec;
  /** Inclusive bounds on positional arguments after the command name. */
  positionals: { min: number; max: number; names: string };
  /** Resolves to the exit code. */
  run(input: CommandInput): Promise<number>;
}

/**
 * `--max-age-days -3` is a value that is wrong, not an unknown option '-3': a string option's
 * next argument that reads as a number is attached to it, so the option's own check can say why.
 */
function attachNegativeNumbers(options: OptionSpec, args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const next = args[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function parseCommandLine(command: Command, args: string[]): { values: OptionValues; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: attachNegativeNumbers(command.options, args),
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message, command.name);
  }
  const values = parsed.values as OptionValues;
  if (values.help) return { values, positionals: parsed.positionals };
  const { min, max, names } = command.positionals;
  if (parsed.positionals.length < min) throw new UsageError(`missing argument: ${names}`, command.name);
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[max]}'`, command.name);
  }
  return { values, positionals: parsed.positionals };
}

/** The positional argument at `index`: present whenever the command's `positionals.min` covers it. */
export function argument(positionals: readonly string[], index: number, command: Command): string {
  const value = positionals[index];
  if (value === undefined) throw new UsageError(`missing argument: ${command.positionals.names}`, command.name);
  return value;
}

/** A point in time from --as-of (or another time option): an ISO 8601 date or date-time; default now. */
export function parseAsOf(value: string | boolean | undefined, command: string, option = 'as-of'): Date {
  if (value === undefined || value === true) return new Date();
  const text = String(value);
  // Date.parse accepts much that is not ISO 8601 ("March 7"); scripts should not depend on that.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    throw new UsageError(
      `--${option} '${text}' is not an ISO 8601 date or date-time (e.g. 2026-03-01T12:00:00Z)`,
      command,
    );
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--${option} '${text}' is not a valid date`, command);
  return date;
}

export function parsePositiveInteger(
  value: string | boolean | undefined,
  name: string,
  command: string,
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name} must be a positive integer, got '${text}'`, command);
  }
  return Number(text);
}

export function parseFormat(value: string | boolean | undefined, command: string): 'json' | 'csv' {
  const format = value === undefined ? 'json' : String(value);
  if (format !== 'json' && format !== 'csv')
    throw new UsageError(`--format must be json or csv, got '${format}'`, command);
  return format;
}
