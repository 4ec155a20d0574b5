import { VeilError } from '@veil/crypto';
import { parseGroupProof, type GroupProof } from '../group-bundle.ts';
import { AZTEC_CRS_ID, getTestCrsId, resolveCrsKind } from '../crs.ts';
import { fromBase64 } from './bytes.ts';
import { PROOF_BYTES, type Engine } from './engine.ts';
import { groupPublicInputBytes } from './group-statement.ts';

/** What a group proof must be for: the verifier's own scope, message and accepted roots. */
export interface GroupExpectations {
  /** The scope text the action needs (e.g. `poll:<id>`). */
  scope: string;
  /** messageToField of the payload the verifier received (64 hex digits). */
  message: string;
  /** Roots the verifier accepts (its group's recent roots); omitted: the caller checks `root` itself. */
  roots?: readonly string[];
  /** Accept proofs made with the insecure test CRS (default: only when `VEIL_CRS=test`). */
  allowTestCrs?: boolean;
}

/** The verified statement: someone in the tree with `root` acted once in `scope` on `message`. */
export type VerifiedGroupProof = Omit<GroupProof, 'v' | 'proof'>;

export async function verifyGroupAction(engine: Engine, value: unknown, expect: GroupExpectations): Promise<VerifiedGroupProof> {
  const g = parseGroupProof(value);
  const allowTest = expect.allowTestCrs ?? resolveCrsKind() === 'test';
  if (g.crs.kind === 'test') {
    if (!allowTest) throw new VeilError('ERR_CRS_NOT_ACCEPTED', 'group proof made with the insecure test CRS; accepted only with allowTestCrs or VEIL_CRS=test');
    if (g.crs.id !== getTestCrsId()) throw new VeilError('ERR_CRS_NOT_ACCEPTED', `unknown test CRS ${g.crs.id}`);
  } else if (g.crs.id !== AZTEC_CRS_ID) {
    throw new VeilError('ERR_CRS_NOT_ACCEPTED', `CRS ${g.crs.id} is not Aztec's`);
  }
  const circuit = (await engine.knownCircuits()).find((c) => c.name === g.circuit.name && c.id === g.circuit.id);
  if (!circuit) throw new VeilError('ERR_CIRCUIT_UNKNOWN', `circuit ${g.circuit.name} ${g.circuit.id} is not accepted here`);
  if (g.scope !== expect.scope) throw new VeilError('ERR_SCOPE_MISMATCH', `the proof is for scope ${JSON.stringify(g.scope)}, not ${JSON.stringify(expect.scope)}`);
  if (g.message !== expect.message) throw new VeilError('ERR_MESSAGE_MISMATCH', 'the proof signs another message');
  if (expect.roots && !expect.roots.includes(g.root)) throw new VeilError('ERR_ROOT_UNKNOWN', 'the proof is against a root this verifier does not accept');
  let pi: Uint8Array;
  try {
    pi = groupPublicInputBytes(g);
  } catch (e) {
    throw new VeilError('ERR_GROUP_PROOF_MALFORMED', `public values do not fit the circuit: ${(e as Error).message}`, { cause: e });
  }
  const proof = fromBase64(g.proof);
  if (!proof || proof.length !== PROOF_BYTES) throw new VeilError('ERR_GROUP_PROOF_MALFORMED', `proof must be base64 of ${PROOF_BYTES} bytes`);
  const all = new Uint8Array(pi.length + proof.length);
  all.set(pi);
  all.set(proof, pi.length);
  await engine.verificationKey(circuit, g.crs.kind);
  let ok: boolean;
  try {
    ok = await engine.verify(circuit, g.crs.kind, all);
  } catch (e) {
    throw new VeilError('ERR_PROOF_INVALID', 'the group proof does not verify (rejected by the backend)', { cause: e });
  }
  if (!ok) throw new VeilError('ERR_PROOF_INVALID', 'the group proof does not verify for these public values');
  return { circuit: g.circuit, crs: g.crs, root: g.root, scope: g.scope, nullifier: g.nullifier, message: g.message };
}
