import { closest, distance } from 'fastest-levenshtein';
import { readFileSync } from 'node:fs';
import { parseCommandLine, type CliIo, type Command } from './cli-command.js';
import { CliFailure, EXIT_FAILURE, EXIT_USAGE, UsageError } from './cli-errors.js';
import { writeOut } from './cli-output.js';
import { backupCommand } from './commands/backup.command.js';
import { devCommand } from './commands/dev.command.js';
import { exportCommand } from './commands/export.command.js';
import { migrateCommand } from './commands/migrate.command.js';
import { restoreCommand } from './commands/restore.command.js';
import { accessCommand, simulateCommand } from './commands/access.commands.js';
import { backingKeysCommand, deletionImpactCommand, usageCommand } from './commands/usage.commands.js';
import {
  decryptabilityCommand,
  historyCommand,
  replicationCommand,
  reportCommand,
  stateCommand,
  verifyCommand,
} from './commands/query.commands.js';

export const COMMANDS: Command[] = [
  verifyCommand,
  historyCommand,
  stateCommand,
  replicationCommand,
  decryptabilityCommand,
  reportCommand,
  accessCommand,
  simulateCommand,
  usageCommand,
  backingKeysCommand,
  deletionImpactCommand,
  exportCommand,
  migrateCommand,
  backupCommand,
  restoreCommand,
  devCommand,
];

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A typo's nearest command, when it is near enough to be what was meant. */
function suggestion(name: string): string {
  const names = COMMANDS.map((c) => c.name);
  const nearest = closest(name, names);
  return distance(name, nearest) <= Math.max(2, Math.floor(nearest.length / 3)) ? `; did you mean '${nearest}'?` : '';
}

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: keyledger <command> [options]

The Keyledger ledger from the command line: history, as-of state, decryptability,
reports and verification, directly on a data directory (server stopped) or
through a running server's signed /v1 API (--url); export and migration of
the ledger itself.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'keyledger <command> --help' for a command's options.
Output goes to stdout (JSON, or CSV for reports), diagnostics to stderr.
Exit codes: 0 ok, 1 failure (e.g. the ledger does not verify), 2 usage error.
`;
}

/** Runs one command line and resolves to its exit code; never calls process.exit. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    await writeOut(name === undefined ? io.stderr : io.stdout, topic ? `${topic.help}\n` : generalHelp());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    await writeOut(io.stdout, `${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command '${name}'${suggestion(name)}`);
    const { values, positionals } = parseCommandLine(command, rest);
    if (values.help) {
      await writeOut(io.stdout, `${command.help}\n`);
      return 0;
    }
    return await command.run({ values, positionals, io });
  } catch (error) {
    if (error instanceof UsageError) {
      const hint = error.command ? `keyledger ${error.command} --help` : 'keyledger --help';
      io.stderr.write(`keyledger: ${error.message}\nRun '${hint}' for usage.\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CliFailure) {
      io.stderr.write(`keyledger ${name}: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    // Errors from the libraries (a key that does not exist, an unreachable
    // EventStoreDB) carry messages meant for people; a stack only with KEYLEDGER_DEBUG.
    const err = error instanceof Error ? error : new Error(String(error));
    io.stderr.write(`keyledger ${name}: ${err.message}\n${io.env.KEYLEDGER_DEBUG ? `${err.stack}\n` : ''}`);
    return EXIT_FAILURE;
  }
}

/** The process entry point, called by bin/keyledger.js. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // A second Ctrl-C means now; whatever is not checkpointed is re-checked on the next run.
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    process.stderr.write(`\n${signal}: stopping at the next safe point (again to stop at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed pipe (`keyledger export --to - | head`) is not an error worth a stack.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  try {
    return await runCli(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
