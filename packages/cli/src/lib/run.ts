import { isVeilError } from '@veil/crypto';

/** Thrown for a malformed command line; the CLI exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs one subcommand's action and turns its outcome into the CLI contract:
 * exit 0 on success, 1 when the input is invalid (VeilError), 2 on usage errors. Every failure is
 * one line on stderr, `veil: CODE: message` (usage errors: ERR_USAGE); anything else is a bug and
 * exits 1 as ERR_UNEXPECTED, never with a stack trace.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof UsageError) {
        process.stderr.write(`veil: ERR_USAGE: ${oneLine(e.message)}\n`);
        process.exitCode = 2;
      } else if (isVeilError(e)) {
        process.stderr.write(`veil: ${e.code}: ${oneLine(e.message)}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`veil: ERR_UNEXPECTED: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
        process.exitCode = 1;
      }
    }
  };
}

/** Collapses a message to one line (library errors sometimes carry several). */
export function oneLine(m: string): string {
  return m.replace(/\s*\n\s*/g, ' ').trim();
}
