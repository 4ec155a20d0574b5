/**
 * Client-side check of one UID node's partial evaluation: RFC 9497 §2.2.2 VerifyProof (batched
 * DLEQ, VOPRF context string) of the node's proof that Z_j = k_i · B_j for the SAME k_i as its
 * public share K_i = k_i · G, which the client knows from the group configuration (never from the
 * node's answer).
 *
 * Checked before the proof: lengths, canonical non-identity elements, the batch size matching what
 * we sent. Not checked: that K_i belongs to the group (share-file.ts and
 * parseUidGroup check the public shares' consistency once, at configuration time).
 */
import { decodeElement } from './lib/group.ts';
import { verifyProof } from './lib/voprf.ts';
import { UidNodeError } from './errors.ts';

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
export function verifyPartial(p: PartialToVerify): Uint8Array[] {
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
  let ok = false;
  try {
    ok = verifyProof(p.publicShare, p.blinded, points, p.proof);
  } catch (cause) {
    bad('DLEQ proof could not be checked', cause);
  }
  if (!ok) bad('DLEQ proof does not verify against the node\'s public share');
  return points;
}
