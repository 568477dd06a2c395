import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ADMIN } from '../../support/keyledger-harness.js';

export interface AwsCli {
  /** What was run: `aws` from PATH, or an absolute path to a second install. */
  command: string;
  /** First line of `aws --version`, e.g. `aws-cli/2.9.19 Python/3.11.2 …`. */
  version: string;
  major: number;
}

/**
 * The AWS CLIs on this machine, one per distinct version: `aws` on PATH, and the Debian package's /usr/bin/aws
 * when it is a different install (e.g. a pip-installed v1 earlier on PATH and Debian's v2). Found synchronously at
 * module load, so that `describe.skipIf` can use it.
 */
export function findAwsClis(): AwsCli[] {
  const found: AwsCli[] = [];
  for (const command of ['aws', '/usr/bin/aws']) {
    let version: string;
    try {
      version = execFileSync(command, ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      })
        .trim()
        .split('\n')[0]!;
    } catch {
      continue;
    }
    const major = Number(/^aws-cli\/(\d+)\./.exec(version)?.[1]);
    if (!Number.isFinite(major) || found.some((cli) => cli.version === version)) continue;
    found.push({ command, version, major });
  }
  return found;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI asynchronously (the Keyledger server under test runs in this same process, so a synchronous
 * child process would block it from answering), with only the given credentials and no config files.
 */
export function runAws(
  cli: AwsCli,
  args: string[],
  credentials: { accessKeyId: string; secretAccessKey: string },
  cwd?: string,
): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('AWS_')) env[name] = value;
  }
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  });
  return new Promise((resolve) => {
    execFile(cli.command, args, { env, cwd, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Where the CLI's calls go, read when a test runs (the server starts in a `beforeAll`). */
export interface CliTarget {
  url: string;
  dir: string;
}

/**
 * `aws kms …` against one server as the admin, the way every AWS CLI test calls it: `run` gives the raw result,
 * `ok` asserts success and parses the JSON output ({} for none), `file` writes bytes the CLI reads as `fileb://`.
 */
export function kmsCommands(cli: AwsCli | undefined, index: number, target: () => CliTarget) {
  const run = (...args: string[]): Promise<CliResult> => {
    const { url, dir } = target();
    if (cli === undefined) throw new Error('no AWS CLI on this machine');
    return runAws(
      cli,
      ['kms', ...args, '--endpoint-url', url, '--region', 'us-east-1', '--output', 'json'],
      ADMIN,
      dir,
    );
  };
  // The CLI's JSON output differs per command; each test reads the members it names.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ok = async (...args: string[]): Promise<any> => {
    const result = await run(...args);
    expect(result, `aws kms ${args.join(' ')}`).toMatchObject({ code: 0 });
    return result.stdout.trim() ? JSON.parse(result.stdout) : {};
  };
  const file = (name: string, bytes: Uint8Array | string): string => {
    const path = join(target().dir, `${index}-${name}`);
    writeFileSync(path, bytes);
    return `fileb://${path}`;
  };
  return { run, ok, file };
}
