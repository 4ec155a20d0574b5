/**
 * The group proof: versioned plain JSON, the wire format of every one-person action (votes, polls,
 * person-group posts and likes). Defined once here with TypeBox.
 *
 * `root`, `nullifier` and `message` are the circuit's public field values (64 lowercase hex);
 * `scope` is the scope TEXT (e.g. `poll:<id>`), whose field the verifier derives itself. A verifier
 * rebuilds the public inputs from these after checking that the scope and message are the ones it
 * expects and that the root is one of the group's, so none of them can be altered without the
 * proof failing. `proof` is base64 of bb.js's UltraHonk proof without the public inputs.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { VeilError } from '@veil/crypto';

const Hex32 = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** TypeBox schema of `GroupProof` (v1). */
export const GroupProofSchema = Type.Object(
  {
    v: Type.Literal(1),
    circuit: Type.Object({ name: Type.Literal('group'), id: Hex32 }, { additionalProperties: false }),
    crs: Type.Object(
      {
        id: Type.String({ pattern: '^(aztec-ignition|test-[0-9a-f]{64})$' }),
        kind: Type.Union([Type.Literal('test'), Type.Literal('aztec')]),
      },
      { additionalProperties: false },
    ),
    /** LeanIMT root of the group tree the prover used. */
    root: Hex32,
    /** The scope text (1-256 characters). */
    scope: Type.String({ minLength: 1, maxLength: 256 }),
    nullifier: Hex32,
    /** messageToField of the signed payload. */
    message: Hex32,
    /** base64 (standard, padded) of the UltraHonk proof bytes. */
    proof: Type.String({ minLength: 4, maxLength: 65536, pattern: '^[A-Za-z0-9+/]+={0,2}$' }),
  },
  { additionalProperties: false },
);

/** A group proof (v1). */
export type GroupProof = Static<typeof GroupProofSchema>;

/**
 * Checks that `value` is a well-formed v1 group proof.
 * @throws VeilError ERR_GROUP_PROOF_MALFORMED naming the first offending field.
 */
export function parseGroupProof(value: unknown): GroupProof {
  if (Value.Check(GroupProofSchema, value)) return value;
  const first = Value.Errors(GroupProofSchema, value).First();
  const where = first ? `${first.path || '/'}: ${first.message}` : 'not a group proof';
  throw new VeilError('ERR_GROUP_PROOF_MALFORMED', `malformed group proof (${where})`);
}
