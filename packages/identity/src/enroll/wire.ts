/**
 * Wire schemas of the enrollment service (TypeBox, shared by the service, the CLI and the web
 * client). The outer messages are HPKE envelopes (request-envelope.ts); these are the plaintext
 * bodies of each op, versioned with the envelope.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MEMBER_GROUP } from './member-group.ts';

const Hex = (bytes: number) => Type.String({ pattern: `^[0-9a-f]{${bytes * 2}}$` });
const B64 = (maxBytes: number) => Type.String({ maxLength: Math.ceil(maxBytes / 3) * 4, pattern: '^[A-Za-z0-9+/]*={0,2}$' });

export const UserKey = Type.Object(
  { alg: Type.Union([Type.Literal('ed25519'), Type.Literal('secp256k1')]), publicKey: Type.String({ pattern: '^[0-9a-f]{64}([0-9a-f]{2})?$' }) },
  { additionalProperties: false },
);

/** Provider names: what the provider registry calls them. */
export const ProviderName = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' });
/** A participation context (poll or airdrop id): printable ASCII, 1–128 characters. */
export const Context = Type.String({ pattern: '^[\\x21-\\x7e]{1,128}$' });

export const SealedMessageSchema = Type.Object(
  { v: Type.Literal(1), enc: B64(64), ciphertext: B64(128 * 1024) },
  { additionalProperties: false },
);

export const OpBodies = {
  session: Type.Object({}, { additionalProperties: false }),
  'enroll.begin': Type.Object({ provider: ProviderName }, { additionalProperties: false }),
  'enroll.complete': Type.Object(
    { session: Hex(32), maskedCredential: B64(4096), key: UserKey, signature: Hex(64) },
    { additionalProperties: false },
  ),
  link: Type.Object(
    { session: Hex(32), claims: Type.Unknown(), holderSignature: Hex(64), key: UserKey, signature: Hex(64) },
    { additionalProperties: false },
  ),
  participate: Type.Object(
    { context: Context, ts: Type.Integer({ minimum: 0 }), key: UserKey, signature: Hex(64) },
    { additionalProperties: false },
  ),
  'group.join': Type.Object(
    {
      group: Type.String({ pattern: '^(human|age:18\\+|country:[A-Z]{2})$' }),
      commitment: Hex(32), claims: Type.Unknown(), replace: Type.Boolean(),
      ts: Type.Integer({ minimum: 0 }), key: UserKey, signature: Hex(64),
    },
    { additionalProperties: false },
  ),
  /** A member group: the ID token (nonce = memberJoinNonce(group, commitment)) is what admits the person. */
  'group.join-member': Type.Object(
    { group: Type.String({ pattern: MEMBER_GROUP.source }), commitment: Hex(32), token: Type.String({ minLength: 1, maxLength: 16_384 }), replace: Type.Boolean() },
    { additionalProperties: false },
  ),
} as const;
export type Op = keyof typeof OpBodies;
export type OpBody<O extends Op> = Static<(typeof OpBodies)[O]>;

/** GET /identity/v1/signer: the claims key, its evidence and the providers on offer. */
export const SignerResponse = Type.Object(
  {
    v: Type.Literal(1),
    publicKey: Hex(32),
    channelPublicKey: Hex(32),
    evidenceType: Type.Union([Type.Literal('sgx'), Type.Literal('simulation')]),
    evidence: B64(64 * 1024),
    simulated: Type.Boolean(),
    /** The simulation root of this install (simulation only; trusting it proves nothing). */
    simulationRoot: Type.Optional(Type.String()),
    providers: Type.Array(ProviderName),
    /** The registrar's key and evidence binding it (registrar-attestation.ts), when the service runs one. */
    registrar: Type.Optional(Type.Object(
      {
        publicKey: Hex(32),
        evidenceType: Type.Union([Type.Literal('sgx'), Type.Literal('simulation')]),
        evidence: B64(64 * 1024),
      },
      { additionalProperties: false },
    )),
  },
  { additionalProperties: false },
);
export type SignerResponse = Static<typeof SignerResponse>;

/** Result of enroll.complete (inside the encrypted reply, for the user only). */
export interface EnrollResult {
  fields: { name: string; birthdate: string; nationality: string };
  claims: unknown;
}
