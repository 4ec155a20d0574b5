/**
 * The group circuit's input map (`circuits/group`) from an identity secret, its LeanIMT proof, the
 * scope and the signed message, plus the four public inputs in circuit order as field elements.
 * Pre-checks (so the circuit is not the first to notice): the secret's commitment is the proof's
 * leaf, the proof is at most 32 deep.
 */
import { VeilError } from '../errors.ts';
import type { GroupMerkleProof } from './create-group-tree.ts';
import { deriveCommitment } from './derive-commitment.ts';
import { deriveNullifier } from './derive-nullifier.ts';
import { MAX_GROUP_DEPTH, afieldHex, fieldToHex } from './fields.ts';
import { scopeToField } from './scope-to-field.ts';

/** What the group circuit makes public, as 64-hex field values (scope as its field). */
export interface GroupPublicInputs {
  root: string;
  scope: string;
  nullifier: string;
  message: string;
}

export interface GroupInputs {
  /** noir_js input map: 0x-prefixed hex fields, depth as a number. */
  inputs: { root: string; scope: string; nullifier: string; message: string; secret: string; index: string; depth: number; siblings: string[] };
  publicInputs: GroupPublicInputs;
}

const hex0x = (h: string) => `0x${h}`;

/**
 * @example
 * import { buildGroupInputs, createGroupTree } from '@veil/crypto';
 * const { inputs } = await buildGroupInputs({ secret, proof: tree.proof(i), scope: 'poll:…', message });
 * @throws VeilError ERR_NOT_GROUP_MEMBER (the secret's commitment is not the proof's leaf),
 *   ERR_GROUP_TOO_DEEP; TypeError on malformed fields.
 */
export async function buildGroupInputs(a: { secret: string; proof: GroupMerkleProof; scope: string; message: string }): Promise<GroupInputs> {
  const { proof } = a;
  afieldHex('message', a.message);
  afieldHex('root', proof.root);
  if (proof.depth > MAX_GROUP_DEPTH || proof.siblings.length !== proof.depth) {
    throw new VeilError('ERR_GROUP_TOO_DEEP', `a proof of depth ${proof.depth} (${proof.siblings.length} siblings) does not fit the circuit (at most ${MAX_GROUP_DEPTH})`);
  }
  if (!Number.isSafeInteger(proof.index) || proof.index < 0 || proof.index >= 2 ** MAX_GROUP_DEPTH) throw new TypeError('proof.index must be 0..2^32-1');
  const commitment = await deriveCommitment(a.secret);
  if (commitment !== proof.leaf) throw new VeilError('ERR_NOT_GROUP_MEMBER', 'the secret\'s commitment is not the leaf of this proof');
  const nullifier = await deriveNullifier(a.scope, a.secret);
  const scope = fieldToHex(scopeToField(a.scope));
  const siblings = proof.siblings.map((s, i) => hex0x(fieldToHex(afieldHex(`siblings[${i}]`, s))));
  while (siblings.length < MAX_GROUP_DEPTH) siblings.push('0x0');
  return {
    inputs: {
      root: hex0x(proof.root), scope: hex0x(scope), nullifier: hex0x(nullifier), message: hex0x(a.message),
      secret: hex0x(a.secret), index: `0x${proof.index.toString(16)}`, depth: proof.depth, siblings,
    },
    publicInputs: { root: proof.root, scope, nullifier, message: a.message },
  };
}
