import { run } from './botocore.js';

/**
 * A python3 that imports boto3, the AWS SDK for Python, or undefined when none does. pyenv's python3 on the
 * project's machines has it from pip; Debian's python3 has it with python3-boto3.
 */
export async function boto3Python(): Promise<string | undefined> {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      await run(python, ['-c', 'import boto3']);
      return python;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

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
