/**
 * The membership proof bundle: versioned plain JSON, the one wire format shared by the CLI, the
 * server and the web app. Defined once here with TypeBox.
 *
 * `claims` are the statement's public values in readable form; a verifier rebuilds the circuit's
 * public inputs from them plus the issuer key found by `kid`, so claims cannot be altered without
 * the proof failing. `publicInputs`, when present, is informational only and is never read by
 * `verify`. `proof` is base64 of bb.js's UltraHonk proof without the public inputs.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { VARIANTS, VeilError } from '@veil/crypto';

const Hex32 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });

/** TypeBox schema of `MembershipBundle` (v1). */
export const MembershipBundleSchema = Type.Object(
  {
    v: Type.Literal(1),
    circuit: Type.Object({ name: Type.String({ pattern: '^[a-z0-9_-]{1,64}$' }), id: Hex32 }, { additionalProperties: false }),
    /** The statement proved (absent: `oidc`, bundles from before variants). */
    variant: Type.Optional(Type.Union(VARIANTS.map((v) => Type.Literal(v)))),
    crs: Type.Object(
      {
        id: Type.String({ pattern: '^(aztec-ignition|test-[0-9a-f]{64})$' }),
        kind: Type.Union([Type.Literal('test'), Type.Literal('aztec')]),
      },
      { additionalProperties: false },
    ),
    claims: Type.Object(
      {
        iss: Text(512),
        aud: Text(512),
        domain: Text(255),
        /** Ed25519 ephemeral public key, 32 bytes, lowercase hex. */
        epk: Hex32,
        /** Unix seconds after which the ephemeral key is no longer backed by this proof. */
        expiry: Type.Integer({ minimum: 0, maximum: 2 ** 40 }),
        /** JWK `kid` of the issuer key that signed the token. */
        kid: Text(256),
        /** base64url(header) as signed (the circuit takes it as public input; absent in bundles of circuits from before that). */
        header: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{3,1536}$' })),
        /** entra: the email domain bound through xms_edov (absent: not bound). */
        emailDomain: Type.Optional(Text(64)),
      },
      { additionalProperties: false },
    ),
    /** base64 (standard, padded) of the UltraHonk proof bytes. */
    proof: Type.String({ minLength: 4, maxLength: 65536, pattern: '^[A-Za-z0-9+/]+={0,2}$' }),
    publicInputs: Type.Optional(Type.Array(Type.String({ pattern: '^0x[0-9a-f]{64}$' }), { maxItems: 1024 })),
  },
  { additionalProperties: false },
);

/** A membership proof bundle (v1). */
export type MembershipBundle = Static<typeof MembershipBundleSchema>;

/**
 * Checks that `value` is a well-formed v1 bundle.
 * @throws VeilError ERR_BUNDLE_MALFORMED naming the first offending field.
 */
export function parseBundle(value: unknown): MembershipBundle {
  if (Value.Check(MembershipBundleSchema, value)) return value;
  const first = Value.Errors(MembershipBundleSchema, value).First();
  const where = first ? `${first.path || '/'}: ${first.message}` : 'not a bundle';
  throw new VeilError('ERR_BUNDLE_MALFORMED', `malformed proof bundle (${where})`);
}
