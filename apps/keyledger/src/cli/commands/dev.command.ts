import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';

const SERVER = fileURLToPath(new URL('../../main.js', import.meta.url));

function portOf(raw: string | undefined): number {
  if (raw === undefined) return 8080;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) throw new UsageError(`--port must be 0 to 65535, got '${raw}'`, 'dev');
  return port;
}

/** What a developer needs to point a client at it, printed once the server listens. */
export function devBanner(url: string, dataDir: string, temporary: boolean): string {
  return `
Keyledger development server on ${url}
  credentials  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  data         ${dataDir}${temporary ? ' (temporary: removed when this stops; --data-dir keeps one)' : ''}
  try          AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --region us-east-1 --endpoint-url ${url} kms create-key
  SDKs         endpoint ${url}, credentials test/test
Loopback only, for development: never keep real keys here. Ctrl-C stops it.

`;
}

export const devCommand: Command = {
  name: 'dev',
  summary: 'a development server on loopback that accepts the test/test credentials (KEYLEDGER_DEV=1)',
  positionals: { min: 0, max: 0, names: '' },
  options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, seed: { type: 'string' } },
  help: `Usage: keyledger dev [--port <n>] [--data-dir <dir>] [--seed <file>]

Starts the server as LocalStack and local-kms users expect: on 127.0.0.1 only, with
KEYLEDGER_DEV=1, so the well-known credentials test/test are accepted as an admin
(besides the generated admin credential). Prints the endpoint and the credentials
once it listens. Every other KEYLEDGER_* variable of the environment applies.

  --port <n>         the port (default 8080; 0 picks a free one)
  --data-dir <dir>   keep the keys in this directory (default: a new temporary
                     directory, removed when the server stops)
  --seed <file>      keys and aliases to create at start (KEYLEDGER_SEED_FILE)

Never keep real keys in a development server's data directory.`,
  async run({ values, io }) {
    const port = portOf(values.port as string | undefined);
    const given = values['data-dir'] as string | undefined;
    const dataDir = given ? resolve(given) : mkdtempSync(join(tmpdir(), 'keyledger-dev-'));
    const seed = values.seed as string | undefined;
    const child = spawn(process.execPath, [SERVER], {
      env: {
        ...io.env,
        KEYLEDGER_DEV: '1',
        HOST: '127.0.0.1',
        PORT: String(port),
        KEYLEDGER_DATA_DIR: dataDir,
        ...(seed !== undefined && { KEYLEDGER_SEED_FILE: resolve(seed) }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let seen = '';
    let announced = false;
    child.stdout.on('data', (chunk: Buffer) => {
      io.stdout.write(chunk);
      if (announced) return;
      seen += chunk.toString();
      const url = /listening on (http:\/\/[^\s"]+)/.exec(seen)?.[1];
      if (url === undefined) return;
      announced = true;
      io.stdout.write(devBanner(url, dataDir, !given));
    });
    // The CLI's first Ctrl-C (or SIGTERM) aborts its signal: the server gets SIGTERM, stops cleanly.
    const stop = () => child.kill('SIGTERM');
    io.signal.addEventListener('abort', stop, { once: true });
    // Killed by a signal (not stopped by one): the shell's convention, 128 + its number.
    const code = await new Promise<number>((done) =>
      child.once('exit', (exit, signal) => done(exit ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0))),
    );
    io.signal.removeEventListener('abort', stop);
    if (!given) rmSync(dataDir, { recursive: true, force: true });
    return code;
  },
};
