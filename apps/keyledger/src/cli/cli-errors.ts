/** Exit codes are part of the CLI's contract: scripts branch on them. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The command line itself is wrong (unknown option, missing argument, bad date): exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose help to point at. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** The command ran and the answer is "no" or it could not finish (verify failed, divergent target): exit 1. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}
