/**
 * Wire schemas of the UID service (TypeBox; shared by the app and the client). Versioned plain
 * JSON, lowercase hex for elements, nonces and proofs, base64 for evidence.
 *
 *   GET  /attestation/evidence?challenge=HEX → NodeEvidenceResponse
 *   GET  /uid/v1/challenge                   → ChallengeResponse (single-use nonce)
 *   POST /uid/v1/evaluate  EvaluateRequest   → EvaluateResponse
 * Errors: `{ error: { code, message } }`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MAX_BATCH } from './evaluate.ts';
import { EvidenceType, Hex32, Hex64 } from './lib/schema.ts';

/** Upper bound on evidence size (a DCAP quote with its PEM chain is ~5 KiB). */
export const MAX_EVIDENCE_BYTES = 64 * 1024;
const Evidence = Type.String({ maxLength: Math.ceil(MAX_EVIDENCE_BYTES / 3) * 4, pattern: '^[A-Za-z0-9+/]*={0,2}$' });

export const EvidenceQuery = Type.Object({ challenge: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }) }, { additionalProperties: false });
export type EvidenceQuery = Static<typeof EvidenceQuery>;

/** A UID node's evidence: binds the challenge, its public share and the group key. */
export const NodeEvidenceResponse = Type.Object(
  {
    v: Type.Literal(1),
    type: EvidenceType,
    evidence: Evidence,
    node: Type.String({ maxLength: 64 }),
    index: Type.Integer({ minimum: 1, maximum: 255 }),
    threshold: Type.Integer({ minimum: 1, maximum: 255 }),
    publicShare: Hex32,
    groupPublicKey: Hex32,
    measurement: Type.String({ pattern: '^[0-9a-f]{32,128}$' }),
    simulated: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type NodeEvidenceResponse = Static<typeof NodeEvidenceResponse>;

export const ChallengeResponse = Type.Object({ v: Type.Literal(1), nonce: Hex32, expiresInMs: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export type ChallengeResponse = Static<typeof ChallengeResponse>;

export const EvaluateRequest = Type.Object(
  {
    v: Type.Literal(1),
    /** One nonce per UID node asked in this round; this node's own must be among them. */
    nonces: Type.Array(Hex32, { minItems: 1, maxItems: 255 }),
    blindedElements: Type.Array(Hex32, { minItems: 1, maxItems: MAX_BATCH }),
    evidenceType: EvidenceType,
    evidence: Evidence,
  },
  { additionalProperties: false },
);
export type EvaluateRequest = Static<typeof EvaluateRequest>;

export const EvaluateResponse = Type.Object(
  {
    v: Type.Literal(1),
    node: Type.String({ maxLength: 64 }),
    index: Type.Integer({ minimum: 1, maximum: 255 }),
    evaluatedElements: Type.Array(Hex32, { minItems: 1, maxItems: MAX_BATCH }),
    proof: Hex64,
  },
  { additionalProperties: false },
);
export type EvaluateResponse = Static<typeof EvaluateResponse>;

export const ErrorResponse = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
export type ErrorResponse = Static<typeof ErrorResponse>;
