/**
 * Threshold combination (Shamir over the ristretto255 scalar field, order ℓ = 2^252 + …): with
 * k = f(0) for a random polynomial f of degree t−1 and shares k_i = f(i), any t distinct indices S
 * give k = Σ_{i∈S} λ_i k_i with λ_i = Π_{j∈S, j≠i} j / (j − i) mod ℓ, hence
 *   Σ λ_i · (k_i · B) = k · B,
 * exactly the single-key evaluation. Only public values enter (indices, verified partials), so the
 * variable-time multiplication is fine here.
 * Not checked here: that the partials are honest (verify-partial.ts first) — a wrong partial would
 * silently give a wrong UID.
 */
import { VeilError } from '@veil/crypto';
import { Fn, Point, type RistrettoPoint } from './lib/group.ts';

/** A verified partial: the node's Shamir index and its decoded elements. */
export interface VerifiedPartial {
  index: number;
  points: readonly RistrettoPoint[];
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
export function lagrangeAtZero(indices: readonly number[]): bigint[] {
  return lagrangeAt(0, indices);
}

/** Lagrange coefficients at x for the given distinct indices: f(x) = Σ λ_i f(i). */
export function lagrangeAt(x: number, indices: readonly number[]): bigint[] {
  if (new Set(indices).size !== indices.length) throw new TypeError('indices must be distinct');
  for (const i of indices) if (!Number.isInteger(i) || i < 1 || i > MAX_NODES) throw new TypeError(`index ${i} out of range 1..${MAX_NODES}`);
  const X = Fn.create(BigInt(x));
  return indices.map((i) => {
    let num = 1n;
    let den = 1n;
    for (const j of indices) {
      if (j === i) continue;
      num = Fn.mul(num, Fn.sub(X, BigInt(j)));
      den = Fn.mul(den, Fn.sub(BigInt(i), BigInt(j)));
    }
    return Fn.mul(num, Fn.inv(den));
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
    let acc: RistrettoPoint = Point.ZERO;
    used.forEach((p, n) => {
      acc = acc.add(p.points[j]!.multiplyUnsafe(lambdas[n]!));
    });
    out.push(acc.toBytes());
  }
  return out;
}
