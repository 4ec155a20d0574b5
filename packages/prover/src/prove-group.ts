import type { GroupProof } from './group-bundle.ts';
import { createBackend, type Backend, type BackendOptions } from './create-backend.ts';
import type { GroupProveInput } from './lib/prove-group-action.ts';

export type { GroupProveInput } from './lib/prove-group-action.ts';

/**
 * Proves "I hold the secret of a leaf of the group tree with this root; this is my nullifier for
 * `scope`; I sign `message`" (circuits/group) and returns a group proof, verified before it is
 * returned. Pass `backend` to reuse a warm one; otherwise one is created and destroyed per call.
 * @example
 * import { proveGroup } from '@veil/prover/prove-group';
 * const proof = await proveGroup({ secret, merkleProof: tree.proof(i), scope: voteScope(pollId), message }, { crs: 'test' });
 * @throws VeilError ERR_NOT_GROUP_MEMBER (the secret's commitment is not the proof's leaf), ERR_GROUP_TOO_DEEP,
 *   ERR_STATEMENT_UNSATISFIED (the circuit rejects the inputs); TypeError on malformed fields.
 */
export async function proveGroup(input: GroupProveInput, options: BackendOptions & { backend?: Backend } = {}): Promise<GroupProof> {
  if (options.backend) return options.backend.proveGroup(input);
  const backend = await createBackend(options);
  try {
    return await backend.proveGroup(input);
  } finally {
    await backend.destroy();
  }
}
