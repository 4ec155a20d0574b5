import { Noir } from '@noir-lang/noir_js';
import { buildGroupInputs, VeilError, type GroupMerkleProof } from '@veil/crypto';
import { GROUP_CIRCUIT } from '../artifacts.ts';
import type { CrsKind } from '../crs.ts';
import type { GroupProof } from '../group-bundle.ts';
import { toBase64 } from './bytes.ts';
import type { Engine } from './engine.ts';
import { groupPublicInputBytes } from './group-statement.ts';

/** What `proveGroup` needs. */
export interface GroupProveInput {
  /** The identity secret (64 hex digits). */
  secret: string;
  /** The LeanIMT proof of the secret's commitment (`GroupTree.proof(index)`). */
  merkleProof: GroupMerkleProof;
  /** The scope text (`poll:<id>`, `like:<post id>`, a post id). */
  scope: string;
  /** messageToField of the signed payload (64 hex digits). */
  message: string;
}

export async function proveGroupAction(engine: Engine, kind: CrsKind, input: GroupProveInput): Promise<GroupProof> {
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object');
  const { inputs, publicInputs } = await buildGroupInputs({ secret: input.secret, proof: input.merkleProof, scope: input.scope, message: input.message });
  const circuit = await engine.circuit(GROUP_CIRCUIT);
  await engine.noirReady();
  let witness: Uint8Array;
  try {
    ({ witness } = await new Noir(circuit.program as never).execute(inputs as never));
  } catch (e) {
    throw new VeilError('ERR_STATEMENT_UNSATISFIED', `the group statement does not hold: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
  }
  const out = await engine.prove(circuit, kind, witness);
  const claims = { root: publicInputs.root, scope: input.scope, nullifier: publicInputs.nullifier, message: publicInputs.message };
  const pi = groupPublicInputBytes(claims);
  if (out.length <= pi.length || out.subarray(0, pi.length).some((b, i) => b !== pi[i])) {
    throw new Error('the group circuit\'s public inputs differ from groupPublicInputBytes: prover and verifier disagree');
  }
  if (!(await engine.verify(circuit, kind, out))) throw new Error('bb.js produced a group proof that does not verify');
  return { v: 1, circuit: { name: 'group', id: circuit.id }, crs: { id: engine.crsId(kind), kind }, ...claims, proof: toBase64(out.subarray(pi.length)) };
}
