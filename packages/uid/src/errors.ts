/**
 * Errors of the UID package. Both extend VeilError, so `code` is what callers switch on; they add
 * the node(s) concerned so that an operator can tell WHICH UID node misbehaved.
 *
 * Codes: ERR_UID_PARTIAL_INVALID (a DLEQ proof or an element of a node's answer does not verify),
 * ERR_UID_NODE_UNTRUSTED (its evidence failed), ERR_UID_NODE_UNAVAILABLE (network/HTTP failure),
 * ERR_UID_NODE_REFUSED (the node answered with an error), ERR_UID_THRESHOLD (fewer than t valid
 * partials; `failures` lists why each other node was left out).
 */
import { VeilError } from '@veil/crypto';

/** An error attributable to one UID node. */
export class UidNodeError extends VeilError {
  /** The node's configured name. */
  readonly node: string;
  constructor(code: string, node: string, message: string, options?: { cause?: unknown }) {
    super(code, `UID node "${node}": ${message}`, options);
    this.name = 'UidNodeError';
    this.node = node;
  }
}

/** One node that did not contribute a valid partial evaluation. */
export interface UidNodeFailure {
  node: string;
  code: string;
  message: string;
}

/** Fewer than `threshold` valid partial evaluations. */
export class UidThresholdError extends VeilError {
  readonly threshold: number;
  readonly failures: readonly UidNodeFailure[];
  constructor(threshold: number, valid: number, failures: readonly UidNodeFailure[]) {
    const why = failures.map((f) => `${f.node}: ${f.code}`).join('; ');
    super('ERR_UID_THRESHOLD', `${valid} valid partial evaluation(s), ${threshold} needed${why ? ` (${why})` : ''}`);
    this.name = 'UidThresholdError';
    this.threshold = threshold;
    this.failures = Object.freeze([...failures]);
  }
}

/** Reduces any error to a failure record (non-Veil errors are reported without their internals). */
export function toFailure(node: string, e: unknown): UidNodeFailure {
  if (e instanceof VeilError) return { node, code: e.code, message: e.message };
  return { node, code: 'ERR_UID_NODE_UNAVAILABLE', message: e instanceof Error ? e.message : String(e) };
}
