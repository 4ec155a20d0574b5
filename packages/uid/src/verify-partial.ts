/**
 * Client-side check of one UID node's partial evaluation: RFC 9497 §2.2.2 VerifyProof (batched
 * DLEQ, VOPRF context string) of the node's proof that Z_j = k_i · B_j for the SAME k_i as its
 * public share K_i = k_i · G, which the client knows from the group configuration (never from the
 * node's answer).
 *
 * noble exposes VerifyProof only inside `voprf.finalizeBatch`; we call it with blind = 1 and an
 * empty input, keep nothing of its (meaningless) outputs, and rely only on it throwing when the
 * proof does not verify. Checked before that: lengths, canonical non-identity elements, the batch
 * size matching what we sent. Not checked: that K_i belongs to the group (share-file.ts and
 * parseUidGroup check the public shares' consistency once, at configuration time).
 */
import { suite, Fn, decodeElement } from './lib/group.ts';
import { UidNodeError } from './errors.ts';
import type { RistrettoPoint } from './lib/group.ts';

const ONE = Fn.toBytes(1n);
const EMPTY = new Uint8Array(0);

/** What {@link verifyPartial} checks. */
export interface PartialToVerify {
  /** The node's name (for the error). */
  node: string;
  /** The node's public share K_i from the configuration. */
  publicShare: Uint8Array;
  /** The blinded elements we sent, in order. */
  blinded: readonly Uint8Array[];
  /** The node's answer. */
  evaluated: readonly Uint8Array[];
  proof: Uint8Array;
}

/**
 * Verifies a node's partial evaluation and returns its elements decoded.
 *
 * @example
 * import { verifyPartial } from '@veil/uid/verify-partial';
 * const points = verifyPartial({ node: 'uid-a', publicShare, blinded, evaluated, proof });
 * @throws UidNodeError ERR_UID_PARTIAL_INVALID (with `node`)
 */
export function verifyPartial(p: PartialToVerify): RistrettoPoint[] {
  const bad = (why: string, cause?: unknown): never => {
    throw new UidNodeError('ERR_UID_PARTIAL_INVALID', p.node, `partial evaluation rejected: ${why}`, { cause });
  };
  if (p.evaluated.length !== p.blinded.length) bad(`${p.evaluated.length} elements for ${p.blinded.length} sent`);
  if (!(p.proof instanceof Uint8Array) || p.proof.length !== 64) bad('proof must be 64 bytes');
  const points = p.evaluated.map((e, i) => {
    try {
      return decodeElement(e, 'ERR_UID_PARTIAL_INVALID', `evaluated[${i}]`);
    } catch (cause) {
      return bad(`evaluated[${i}] is not a valid element`, cause);
    }
  });
  try {
    suite.voprf.finalizeBatch(
      p.evaluated.map((evaluated, i) => ({ input: EMPTY, blind: ONE, evaluated, blinded: p.blinded[i]! })),
      p.publicShare,
      p.proof,
    );
  } catch (cause) {
    bad('DLEQ proof does not verify against the node\'s public share', cause);
  }
  return points;
}
