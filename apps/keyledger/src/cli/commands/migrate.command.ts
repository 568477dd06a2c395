import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEventStore, isEventStoreUrl, type EventStore } from '@keyledger/event-store';
import { CheckpointKeys, verifyLedger, type VerifyResult } from '@keyledger/integrity';
import { parsePositiveInteger, type Command } from '../cli-command.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import { formatCount, toJsonText, writeOut } from '../cli-output.js';
import { dataDirOf } from '../connection.js';
import { countEmbeddedEvents, ledgerFile, lockDataDir, openLedger, openRootKey } from '../direct-store.js';
import { checkpointPath, describeTarget } from '../migration/migration-checkpoint.js';
import { compareLedgers } from '../migration/ledger-comparison.js';
import { EVENTSTOREDB_APPEND_BUDGET, LedgerMigration } from '../migration/ledger-migration.js';
import { ProgressBar } from '../progress-bar.js';

const DEFAULT_BATCH_SIZE = 2000;
/** The server's ledger view snapshot (data-directory.ts, LEDGER_VIEW_SNAPSHOT_FILE; a spec holds them equal). */
export const VIEW_SNAPSHOT_FILE = 'ledger-view.snapshot';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'copy the embedded ledger into EventStoreDB/KurrentDB (or another data directory), resumably',
  positionals: { min: 0, max: 0, names: '' },
  options: {
    'data-dir': { type: 'string' },
    to: { type: 'string' },
    'to-data-dir': { type: 'string' },
    'batch-size': { type: 'string' },
    'max-events': { type: 'string' },
    'skip-verify': { type: 'boolean' },
  },
  help: `Usage: keyledger migrate --to <esdb://… | kurrentdb://…> [--data-dir <dir>] [options]
       keyledger migrate --to-data-dir <dir> [--data-dir <dir>] [options]

Copies the embedded ledger in --data-dir into EventStoreDB/KurrentDB, or into
the embedded ledger of another data directory: every stream, event id, type,
data and metadata (so every hash chain) and the global order, unchanged. Each
append names the revision it expects, so no event can be written twice.
Recorded times are the target's own; the event time the ledger uses is in
each event's metadata and is copied with it.

Meant for a stopped server: the source is only read, but events appended while
migrating are copied only if they are there when the run reaches the end (run
migrate again after stopping the server to copy the rest).

Resumable: progress is kept in <data dir>/migrate-<hash of target>.json after
every batch. Run the same command again after an interruption: the last
migrated events are re-checked by id in both ledgers, events the target got
after the checkpoint are recognised and skipped, and the copy continues. A
target that holds anything else makes migrate fail without writing.

Appends to EventStoreDB/KurrentDB are cut below its 1 MiB append limit. The
server's view snapshot (ledger-view.snapshot) in the data directory the target
will be served from is removed: it names positions of the embedded store.

At the end both ledgers are compared event by event and stream by stream, and
the target's hash chains and signed checkpoints are verified with the source's
root key. The key vault and root key are not copied: a server on the target
still needs them (with --to, keep KEYLEDGER_DATA_DIR and set
KEYLEDGER_EVENTSTORE_URL).

  --data-dir <dir>        the source (default: $KEYLEDGER_DATA_DIR or ./data)
  --to <url>              esdb://, kurrentdb://, kurrent:// or kdb:// (each also +discover)
  --to-data-dir <dir>     an embedded ledger in another directory instead
  --batch-size <n>        events per read, append round and checkpoint (default ${DEFAULT_BATCH_SIZE})
  --max-events <n>        debugging: stop after appending n events in this run,
                          as an interruption would (exit 1, progress kept)
  --skip-verify           skip the final comparison and verification

Progress goes to stderr (a bar on a terminal, a line every 10% otherwise); the
summary is printed to stdout as JSON. Exit 0 when the target is a verified
copy; 1 when stopped early or when anything does not match; 130 on Ctrl-C
(after the batch in flight, progress kept).`,
  async run({ values, io }) {
    const to = values.to as string | undefined;
    const toDataDir = values['to-data-dir'] as string | undefined;
    if (!to === !toDataDir)
      throw new UsageError('give exactly one of --to <esdb://…> and --to-data-dir <dir>', 'migrate');
    if (to && !isEventStoreUrl(to)) {
      throw new UsageError(
        `--to '${to}' is not an EventStoreDB/KurrentDB connection string (esdb://, kurrentdb://, kurrent:// or kdb://)`,
        'migrate',
      );
    }
    const batchSize = parsePositiveInteger(values['batch-size'], 'batch-size', 'migrate') ?? DEFAULT_BATCH_SIZE;
    const maxEvents = parsePositiveInteger(values['max-events'], 'max-events', 'migrate');
    const sourceDir = dataDirOf(values, io.env);
    if (toDataDir && ledgerFile(toDataDir) === ledgerFile(sourceDir)) {
      throw new UsageError('--to-data-dir is the source data directory', 'migrate');
    }
    if (!existsSync(ledgerFile(sourceDir))) throw new CliFailure(`no ledger at ${ledgerFile(sourceDir)}`);

    const targetDescription = describeTarget(to ? { url: to } : { dataDir: toDataDir });
    // Writing into a data directory takes its lock, as a server does: never under a running server.
    const targetLock = toDataDir ? lockDataDir(toDataDir, 'keyledger migrate') : undefined;
    const source = openLedger({ dataDir: sourceDir });
    let target: EventStore | undefined;
    try {
      target = to
        ? createEventStore({ dataDir: '', eventStoreUrl: to })
        : createEventStore({ dataDir: resolve(toDataDir!) });
      const log = (message: string) => io.stderr.write(`${message}\n`);
      log(`migrating ${ledgerFile(sourceDir)} -> ${targetDescription}`);
      invalidateViewSnapshot(to ? sourceDir : toDataDir!, targetDescription, log);
      let bar: ProgressBar | undefined;
      const total = countEmbeddedEvents(sourceDir);
      const migration = new LedgerMigration({
        source,
        target,
        targetDescription,
        checkpointPath: checkpointPath(sourceDir, targetDescription),
        batchSize,
        ...(to ? { maxAppendBytes: EVENTSTOREDB_APPEND_BUDGET } : {}),
        maxEvents,
        pipelineAppends: !to,
        checkpointKeys: () => CheckpointKeys.fromRootKey(openRootKey(sourceDir, io.env.KEYLEDGER_ROOT_KEY)),
        signal: io.signal,
        log,
        onProgress: (migrated) => {
          bar ??= new ProgressBar(io.stderr, total, 'events', migrated);
          bar.update(migrated);
        },
      });
      const result = await migration.run();
      bar?.finish(result.eventsMigrated);
      const summary: Record<string, unknown> = { target: targetDescription, ...result };

      if (!result.complete) {
        const why = io.signal.aborted
          ? 'interrupted'
          : `stopped after ${formatCount(result.appendedThisRun)} event(s) (--max-events)`;
        log(
          `${why}: ${formatCount(result.eventsMigrated)} event(s) migrated so far; run the same command again to continue`,
        );
        await writeOut(io.stdout, `${toJsonText(summary)}\n`);
        return io.signal.aborted ? 130 : 1;
      }
      log(
        `copied: ${formatCount(result.eventsMigrated)} event(s) in the target (${formatCount(result.appendedThisRun)} appended in this run)`,
      );

      if (!values['skip-verify']) {
        log('verifying: comparing both ledgers event by event');
        const compareBar = new ProgressBar(io.stderr, result.eventsMigrated, 'events compared');
        const comparison = await compareLedgers(
          source,
          target,
          batchSize,
          (n) => compareBar.update(n),
          result.checkpointsRewritten > 0,
        );
        compareBar.finish(comparison.events);
        summary.comparison = comparison;
        summary.ledgerVerification = await verifyTarget(target, sourceDir, io.env, log);
        if (!(summary.ledgerVerification as VerifyResult).ok) {
          await writeOut(io.stdout, `${toJsonText(summary)}\n`);
          throw new CliFailure('the target ledger does not verify (see ledgerVerification)');
        }
        log(
          `verified: ${formatCount(comparison.events)} event(s) in ${formatCount(comparison.streams)} stream(s) identical`,
        );
      }
      await writeOut(io.stdout, `${toJsonText(summary)}\n`);
      return 0;
    } finally {
      await Promise.allSettled([source.close(), target?.close()]);
      targetLock?.release();
    }
  },
};

/**
 * The ledger view snapshot names a position of the store it was taken from;
 * positions mean nothing in another store, so the server that will run on the
 * target (with --to: the one keeping this data directory) must replay instead.
 */
export function invalidateViewSnapshot(
  dataDir: string,
  targetDescription: string,
  log: (message: string) => void,
): void {
  const file = join(resolve(dataDir), VIEW_SNAPSHOT_FILE);
  if (!existsSync(file)) return;
  rmSync(file, { force: true });
  log(
    `removed ${file}: its positions are the embedded store's, not ${targetDescription}'s; ` +
      'the next server start rebuilds the view from the ledger',
  );
}

/** Hash chains and signed checkpoints of the target, with the key the source's server signs them with. */
async function verifyTarget(
  target: EventStore,
  sourceDir: string,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<VerifyResult> {
  const rootKey = openRootKey(sourceDir, env.KEYLEDGER_ROOT_KEY);
  const result = await verifyLedger(target, CheckpointKeys.fromRootKey(rootKey));
  log(
    `ledger verification: ${result.ok ? 'ok' : 'FAILED'} (${formatCount(result.eventsChecked)} event(s), ${formatCount(result.streamsChecked)} stream(s))`,
  );
  return result;
}
