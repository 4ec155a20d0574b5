/**
 * Wire schemas of the enclave service (TypeBox, defined once and shared by the route, the
 * provisioning protocol and the clients). All objects are versioned plain JSON (`v: 1`).
 */
import { Type, type Static } from '@sinclair/typebox';

const Hex32 = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** Upper bound on evidence size (a DCAP quote with its PEM chain is ~5 KiB). */
export const MAX_EVIDENCE_BYTES = 64 * 1024;

/** Query of GET /attestation/evidence. */
export const EvidenceQuery = Type.Object(
  { challenge: Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: '32-byte challenge, hex' }) },
  { additionalProperties: false },
);
export type EvidenceQuery = Static<typeof EvidenceQuery>;

/** Evidence bound to a challenge and the service's channel key. */
export const EvidenceResponse = Type.Object(
  {
    v: Type.Literal(1),
    type: Type.Union([Type.Literal('sgx'), Type.Literal('simulation')]),
    evidence: Type.String({ contentEncoding: 'base64', maxLength: Math.ceil(MAX_EVIDENCE_BYTES / 3) * 4 }),
    channelPublicKey: Hex32,
    measurement: Hex32,
    simulated: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type EvidenceResponse = Static<typeof EvidenceResponse>;

/** Every error response: `{ error: { code, message } }`. */
export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type ErrorResponse = Static<typeof ErrorResponse>;
