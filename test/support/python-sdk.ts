import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** The first of `pythons` that imports `module`, or undefined when none does. */
async function pythonImporting(module: string, pythons: readonly string[]): Promise<string | undefined> {
  for (const python of pythons) {
    try {
      await run(python, ['-c', `import ${module}`]);
      return python;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

/** A python3 that imports botocore: the AWS CLI's own (CI installs Debian's awscli) first. */
export const botocorePython = () => pythonImporting('botocore.session', ['/usr/bin/python3', 'python3']);

/**
 * A python3 that imports boto3, the AWS SDK for Python. pyenv's python3 on the project's machines has it from pip;
 * Debian's python3 has it with python3-boto3, which `.ci/run` installs when neither imports it.
 */
export const boto3Python = () => pythonImporting('boto3', ['python3', '/usr/bin/python3']);

/** Runs a boto3 script with the given arguments and returns what it printed, as JSON. */
export async function boto3Json(
  python: string | undefined,
  script: string,
  args: string[],
): Promise<ReturnType<typeof JSON.parse>> {
  if (python === undefined)
    throw new Error('boto3 is not importable: pip install boto3 (or Debian python3-boto3) to run this');
  const { stdout } = await run(python, ['-c', script, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout);
}
