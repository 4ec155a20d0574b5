/**
 * RFC 9497 §3.3.2 Finalize (VOPRF mode, ristretto255-SHA512): N = r⁻¹ · Z and
 *   output = SHA-512( I2OSP(len(input), 2) ‖ input ‖ I2OSP(32, 2) ‖ N ‖ "Finalize" ).
 *
 * Two entry points:
 * - `finalizeVerifiedUids` — the RFC's Finalize as written: VerifyProof of the (single-key) batch
 *   proof against the public key, then unblinds. Used with threshold 1.
 * - `finalizeUids` — unblinds elements Z = k · B that were COMBINED from partials each verified
 *   against its own public share (verify-partial.ts); there is no proof for the combined element,
 *   its correctness follows from the partials' proofs and the Lagrange identity.
 * The tests check both against the RFC vectors and against each other.
 * The UID is the output in lowercase hex (128 characters).
 */
import { VeilError } from '@veil/crypto';
import { decodeElement } from './lib/group.ts';
import { finalize, verifyProof } from './lib/voprf.ts';
import { toHex } from '@veil/crypto/bytes';
import type { BlindedInput } from './blind.ts';

/**
 * Unblinds combined evaluations into UIDs (hex).
 *
 * @example
 * import { finalizeUids } from '@veil/uid/finalize';
 * const [uid] = finalizeUids(items, combinePartials(partials, 2));
 * @throws TypeError when the lengths differ; VeilError ERR_UID_ELEMENT_INVALID for a non-canonical or identity element.
 */
export function finalizeUids(items: readonly BlindedInput[], combined: readonly Uint8Array[]): string[] {
  if (items.length !== combined.length) throw new TypeError('one combined element per blinded input is required');
  return items.map((it, i) => toHex(finalize(it.input, it.blind, decodeElement(combined[i]!, 'ERR_UID_ELEMENT_INVALID', `combined[${i}]`))));
}

/**
 * Verifies a single-key batch proof and unblinds (RFC 9497 Finalize with the proof check).
 *
 * @example
 * import { finalizeVerifiedUids } from '@veil/uid/finalize';
 * const uids = finalizeVerifiedUids(items, evaluated, proof, groupPublicKey);
 * @throws VeilError ERR_UID_PARTIAL_INVALID for a non-canonical or identity element or a proof that
 *   does not verify (callers wrap it with the node's name).
 */
export function finalizeVerifiedUids(items: readonly BlindedInput[], evaluated: readonly Uint8Array[], proof: Uint8Array, publicKey: Uint8Array): string[] {
  if (items.length !== evaluated.length) throw new TypeError('one evaluated element per blinded input is required');
  evaluated.forEach((e, i) => decodeElement(e, 'ERR_UID_PARTIAL_INVALID', `evaluated[${i}]`));
  if (!verifyProof(publicKey, items.map((it) => it.blinded), evaluated, proof)) throw new VeilError('ERR_UID_PARTIAL_INVALID', 'the DLEQ proof does not verify against the public key');
  return items.map((it, i) => toHex(finalize(it.input, it.blind, evaluated[i]!)));
}
