/**
 * Threshold combination (Shamir over the ristretto255 scalar field, order ℓ = 2^252 + …): with
 * k = f(0) for a random polynomial f of degree t−1 and shares k_i = f(i), any t distinct indices S
 * give k = Σ_{i∈S} λ_i k_i with λ_i = Π_{j∈S, j≠i} j / (j − i) mod ℓ, hence
 *   Σ λ_i · (k_i · B) = k · B,
 * exactly the single-key evaluation. Scalars and elements are libsodium's (lib/group.ts).
 * Not checked here: that the partials are honest (verify-partial.ts first) — a wrong partial would
 * silently give a wrong UID.
 */
import { VeilError } from '@veil/crypto';
import { IDENTITY, add, mul, scalarFromInt, scalarInvert, scalarMul, scalarSub } from './lib/group.ts';

/** A verified partial: the node's Shamir index and its checked elements (32-byte encodings). */
export interface VerifiedPartial {
  index: number;
  points: readonly Uint8Array[];
}

/** Largest share index (and so node count) supported. */
export const MAX_NODES = 255;

/**
 * Lagrange coefficients at x = 0 for the given distinct indices (1..255).
 *
 * @example
 * import { lagrangeAtZero } from '@veil/uid/combine';
 * const [l1, l2] = lagrangeAtZero([1, 3]);
 * @throws TypeError for repeated or out-of-range indices.
 */
export function lagrangeAtZero(indices: readonly number[]): Uint8Array[] {
  return lagrangeAt(0, indices);
}

/** Lagrange coefficients (32-byte scalars) at x ∈ 0..255 for the given distinct indices: f(x) = Σ λ_i f(i). */
export function lagrangeAt(x: number, indices: readonly number[]): Uint8Array[] {
  if (!Number.isInteger(x) || x < 0 || x > MAX_NODES) throw new TypeError(`x must be in 0..${MAX_NODES}`);
  if (new Set(indices).size !== indices.length) throw new TypeError('indices must be distinct');
  for (const i of indices) if (!Number.isInteger(i) || i < 1 || i > MAX_NODES) throw new TypeError(`index ${i} out of range 1..${MAX_NODES}`);
  const X = scalarFromInt(x);
  return indices.map((i) => {
    let num = scalarFromInt(1);
    let den = scalarFromInt(1);
    for (const j of indices) {
      if (j === i) continue;
      num = scalarMul(num, scalarSub(X, scalarFromInt(j)));
      den = scalarMul(den, scalarSub(scalarFromInt(i), scalarFromInt(j)));
    }
    return scalarMul(num, scalarInvert(den));
  });
}

/**
 * Combines `threshold` verified partials into the single-key evaluations k · B_j (encoded).
 * When more than `threshold` partials are given, the first `threshold` are used (any t agree).
 *
 * @example
 * import { combinePartials } from '@veil/uid/combine';
 * const combined = combinePartials([{ index: 1, points: p1 }, { index: 3, points: p3 }], 2);
 * @throws VeilError ERR_UID_THRESHOLD when fewer than `threshold` partials are given; TypeError on
 *   mismatched batch sizes or bad indices.
 */
export function combinePartials(partials: readonly VerifiedPartial[], threshold: number): Uint8Array[] {
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > MAX_NODES) throw new TypeError('threshold must be an integer in 1..255');
  if (partials.length < threshold) {
    throw new VeilError('ERR_UID_THRESHOLD', `${partials.length} partial evaluation(s), ${threshold} needed`);
  }
  const used = partials.slice(0, threshold);
  const size = used[0]!.points.length;
  if (used.some((p) => p.points.length !== size)) throw new TypeError('partials must cover the same batch');
  const lambdas = lagrangeAtZero(used.map((p) => p.index));
  const out: Uint8Array[] = [];
  for (let j = 0; j < size; j++) {
    let acc = IDENTITY;
    used.forEach((p, n) => {
      acc = add(mul(lambdas[n]!, p.points[j]!), acc);
    });
    out.push(acc);
  }
  return out;
}
