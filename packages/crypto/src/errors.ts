/**
 * The Veil error model (after jose): a caller's mistake throws `TypeError`; bad untrusted input
 * throws a `VeilError` with a stable `code`. Servers map codes to HTTP statuses, the CLI to exit codes.
 */
export class VeilError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VeilError';
    this.code = code;
  }
}

/** True when `e` is a VeilError, optionally with the given code. */
export function isVeilError(e: unknown, code?: string): e is VeilError {
  return e instanceof VeilError && (code === undefined || e.code === code);
}
