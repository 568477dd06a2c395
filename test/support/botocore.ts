import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/**
 * A python3 that imports botocore, the engine of boto3 and the AWS CLI (CI installs Debian's awscli; PyPI is
 * not needed), or undefined when none does.
 */
export async function botocorePython(): Promise<string | undefined> {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      await run(python, ['-c', 'import botocore.session']);
      return python;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

/** Runs a botocore script with the given arguments and returns what it printed, as JSON. */
export async function botocoreJson(
  python: string | undefined,
  script: string,
  args: string[],
): Promise<ReturnType<typeof JSON.parse>> {
  if (python === undefined) throw new Error('botocore is not importable: install awscli (Debian) to run this');
  const { stdout } = await run(python, ['-c', script, ...args]);
  return JSON.parse(stdout);
}
