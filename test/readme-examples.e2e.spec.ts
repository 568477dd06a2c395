/**
 * The README's examples run as written: each lives in examples/, the README holds it verbatim in a fenced
 * block, and this test runs it against a real server with only the endpoint and the credentials set.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsClis } from './compat/support/aws-cli.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const example = (name: string) => readFileSync(join(ROOT, 'examples', name), 'utf8');
const hasAws = findAwsClis().length > 0;

describe('README examples', { timeout: 120_000 }, () => {
  let h: Harness;
  let cwd: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    h = await startKeyledger();
    cwd = mkdtempSync(join(tmpdir(), 'keyledger-examples-'));
    env = {
      PATH: process.env.PATH ?? '',
      HOME: cwd,
      KEYLEDGER_URL: h.url,
      AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    };
  });
  afterAll(async () => {
    await h?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it.each(['encrypt-with-alias.mjs', 'byok-node.mjs', 'aws-cli.sh', 'byok-openssl.sh'])(
    '%s stands in the README verbatim',
    (name) => {
      const body = example(name).trimEnd();
      const language = name.endsWith('.sh') ? 'sh' : 'js';
      expect(README).toContain(`\`\`\`${language}\n${body}\n\`\`\``);
    },
  );

  it('encrypt-with-alias.mjs creates the alias it uses and prints the round trip', async () => {
    const { stdout } = await run('node', [join(ROOT, 'examples', 'encrypt-with-alias.mjs')], { cwd, env });
    expect(stdout).toMatch(
      /^alias\/payments-\d+ -> arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}: decrypted 'secret'\n$/,
    );
  });

  it('byok-node.mjs imports its own material and uses it', async () => {
    const { stdout } = await run('node', [join(ROOT, 'examples', 'byok-node.mjs')], { cwd, env });
    expect(stdout).toMatch(/^[0-9a-f-]{36}: imported material encrypts and decrypts 'hello'\n$/);
  });

  // Without the aws command these two cannot run; CI installs it (Debian's awscli), so there they always do.
  it.skipIf(!hasAws)('aws-cli.sh round-trips a secret through the CLI', async () => {
    const { stdout } = await run('bash', [join(ROOT, 'examples', 'aws-cli.sh')], { cwd, env });
    expect(stdout.trim().split('\n').at(-1)).toBe('secret');
  });

  it.skipIf(!hasAws)('byok-openssl.sh leaves the key Enabled with material wrapped by OpenSSL', async () => {
    const { stdout } = await run('bash', [join(ROOT, 'examples', 'byok-openssl.sh')], { cwd, env });
    expect(stdout.trim().split('\n').at(-1)).toBe('Enabled');
  });
});
