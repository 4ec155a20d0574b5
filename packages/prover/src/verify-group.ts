import { createBackend, type Backend, type BackendOptions } from './create-backend.ts';
import type { GroupExpectations, VerifiedGroupProof } from './lib/verify-group-action.ts';

export type { GroupExpectations, VerifiedGroupProof } from './lib/verify-group-action.ts';

/**
 * Verifies a group proof for the verifier's own scope and message (and, given `roots`, one of its
 * accepted roots); returns the verified public values (the nullifier is what makes the action
 * once-only: the caller stores it per scope). Public inputs are rebuilt from the checked values.
 * @example
 * import { verifyGroup } from '@veil/prover/verify-group';
 * const { nullifier } = await verifyGroup(proof, { scope: voteScope(pollId), message: messageToField(encodeVote(vote)), roots });
 * @throws VeilError ERR_GROUP_PROOF_MALFORMED, ERR_CRS_NOT_ACCEPTED, ERR_CIRCUIT_UNKNOWN, ERR_SCOPE_MISMATCH,
 *   ERR_MESSAGE_MISMATCH, ERR_ROOT_UNKNOWN, ERR_PROOF_INVALID
 */
export async function verifyGroup(proof: unknown, expect: GroupExpectations, options: BackendOptions & { backend?: Backend } = {}): Promise<VerifiedGroupProof> {
  if (options.backend) return options.backend.verifyGroup(proof, expect);
  const backend = await createBackend(options);
  try {
    return await backend.verifyGroup(proof, expect);
  } finally {
    await backend.destroy();
  }
}
