import { isVeilError } from '@veil/crypto';

/** Thrown for a malformed command line; the CLI exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs one subcommand's action and turns its outcome into the CLI contract:
 * exit 0 on success, 1 when the input is invalid (VeilError: one line on stderr), 2 on usage errors.
 * Anything else is a bug and exits 1 with its message, never a stack trace for expected failures.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof UsageError) {
        process.stderr.write(`veil: ${e.message}\n`);
        process.exitCode = 2;
      } else if (isVeilError(e)) {
        process.stderr.write(`veil: ${e.code}: ${e.message}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`veil: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      }
    }
  };
}
