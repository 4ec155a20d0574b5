/**
 * Commitment of an identity secret: Poseidon2([COMMITMENT_TAG, secret]) (the group circuit's leaf).
 * Two inputs and its own tag: never equal to an inner node (three inputs, NODE_TAG) or a nullifier.
 */
import { poseidon2 } from '../lib/poseidon2.ts';
import { COMMITMENT_TAG, afieldHex, fieldToHex } from './fields.ts';

/**
 * @example
 * import { deriveCommitment, generateIdentitySecret } from '@veil/crypto';
 * const commitment = await deriveCommitment(generateIdentitySecret()); // 64 hex digits
 * @throws TypeError when `secret` is not 64 hex digits of a field element.
 */
export async function deriveCommitment(secret: string): Promise<string> {
  const s = afieldHex('secret', secret);
  return fieldToHex((await poseidon2())([COMMITMENT_TAG, s]));
}
