import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Command } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';
import { formatCount, writeOut } from '../cli-output.js';
import { STORE_OPTIONS_HELP, dataDirOf, openDirectStore, storeOptions } from '../connection.js';
import { countEmbeddedEvents } from '../direct-store.js';
import { exportLedger } from '../migration/ledger-export.js';
import { ProgressBar } from '../progress-bar.js';

export const exportCommand: Command = {
  name: 'export',
  summary: 'write every event, in global order, as JSON lines',
  positionals: { min: 0, max: 0, names: '' },
  options: { ...storeOptions, to: { type: 'string' } },
  help: `Usage: keyledger export --to <file.jsonl | -> [--data-dir <dir>]

Writes every event of the ledger in global order, one JSON object per line:
  {"streamName","revision","position","id","type","data","metadata","recordedAt"}
(revision and position as decimal strings, recordedAt ISO 8601). Nothing is
decrypted: backing key material is sealed inside its events and stays sealed.
A file is written as <file>.partial and renamed when complete.

  --to <file>              the output file; '-' writes to stdout

${STORE_OPTIONS_HELP}`,
  async run({ values, io }) {
    const to = values.to as string | undefined;
    if (!to) throw new UsageError('--to <file.jsonl | -> is required', 'export');
    const store = openDirectStore(values, io.env);
    try {
      if (to === '-') {
        const { events } = await exportLedger(store, io.stdout);
        io.stderr.write(`exported ${formatCount(events)} event(s)\n`);
        return 0;
      }
      const path = resolve(to);
      const partial = `${path}.partial`;
      const out = createWriteStream(partial, { mode: 0o600 });
      await once(out, 'open');
      const embedded = !values['eventstore-url'] && !io.env.KEYLEDGER_EVENTSTORE_URL;
      const bar = new ProgressBar(io.stderr, embedded ? countEmbeddedEvents(dataDirOf(values, io.env)) : undefined);
      try {
        const { events } = await exportLedger(store, out, (n) => bar.update(n));
        bar.finish(events);
        out.end();
        await once(out, 'finish');
        renameSync(partial, path);
        await writeOut(io.stderr, `exported ${formatCount(events)} event(s) to ${path}\n`);
      } catch (error) {
        out.destroy();
        rmSync(partial, { force: true });
        throw error;
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
