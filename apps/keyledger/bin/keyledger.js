#!/usr/bin/env node
// The CLI is compiled with the server (npm run build); this file only finds it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    `keyledger: the CLI is not built (${fileURLToPath(entry)} is missing).\n` +
      "Run 'npm run build' in the Keyledger checkout, then try again.\n",
  );
  process.exit(1);
}
const { main } = await import(entry.href);
// exitCode, not exit(): stdout may still be draining into a pipe.
process.exitCode = await main(process.argv.slice(2));
