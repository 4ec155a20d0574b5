/**
 * RFC 9497 §3.3.2 BlindEvaluateBatch (VOPRF mode, ristretto255-SHA512) with a key SHARE: a UID node
 * holding k_i returns Z_j = k_i · B_j for every blinded element and one batched DLEQ proof that
 * log_G(K_i) = log_{B_j}(Z_j) for all j (K_i = k_i · G is the node's published public share).
 * With a single key (threshold 1) k_i is the whole key and this is exactly the RFC's server step.
 *
 * Checked: every blinded element is a canonical non-identity element (VeilError
 * ERR_UID_ELEMENT_INVALID, untrusted input). Not checked: who asked — the HTTP app admits only
 * attested callers before calling this.
 */
import { VeilError } from '@veil/crypto';
import { decodeElement, isCanonicalElement, isCanonicalScalar, isIdentity, type RNG } from './lib/group.ts';
import { blindEvaluateBatch } from './lib/voprf.ts';

/** A node's partial evaluation of a batch. */
export interface PartialEvaluation {
  /** Z_j = k_i · B_j, in the order of the blinded elements. */
  evaluated: Uint8Array[];
  /** One DLEQ proof (c ‖ s, 64 bytes) over the whole batch, against the public share. */
  proof: Uint8Array;
}

/** Largest batch one request may carry. */
export const MAX_BATCH = 256;

/**
 * Evaluates a batch of blinded elements with a key share and proves it.
 *
 * @example
 * import { evaluateBlinded } from '@veil/uid/evaluate';
 * const { evaluated, proof } = evaluateBlinded({ secretKey: share, publicKey: publicShare, blinded: [b] });
 * @throws VeilError ERR_UID_ELEMENT_INVALID; TypeError for a bad key or batch size.
 */
export function evaluateBlinded(opts: { secretKey: Uint8Array; publicKey: Uint8Array; blinded: readonly Uint8Array[]; rng?: RNG }): PartialEvaluation {
  if (!isCanonicalScalar(opts?.secretKey) || opts.secretKey.every((x) => x === 0)) throw new TypeError('secretKey must be a canonical non-zero scalar (32 bytes)');
  if (!isCanonicalElement(opts.publicKey) || isIdentity(opts.publicKey)) throw new TypeError('publicKey must be a canonical non-identity element (32 bytes)');
  if (!Array.isArray(opts.blinded) || opts.blinded.length === 0 || opts.blinded.length > MAX_BATCH) {
    throw new TypeError(`blinded must hold 1..${MAX_BATCH} elements`);
  }
  opts.blinded.forEach((b, i) => {
    if (!(b instanceof Uint8Array) || b.length !== 32) throw new VeilError('ERR_UID_ELEMENT_INVALID', `blinded[${i}] must be 32 bytes`);
    decodeElement(b, 'ERR_UID_ELEMENT_INVALID', `blinded[${i}]`);
  });
  return blindEvaluateBatch(opts.secretKey, opts.publicKey, opts.blinded, opts.rng);
}
