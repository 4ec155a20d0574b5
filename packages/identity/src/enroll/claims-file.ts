/**
 * The claims file format, shared by sign-claims.ts and verify-claims.ts. Signed claims: what the identity service states about the holder of a public key, e.g.
 * `nationality = NL`, `age_over_18 = true`, `unique = true` (one UID, i.e. one person, behind it),
 * signed by the service's attested claims key (claims-signer.ts) with the evidence attached.
 *
 * File (JSON, version 1):
 *   { v: 1, type: "veil-identity-claims", subject: { alg, publicKey }, claims: { … }, issuedAt,
 *     signer: { publicKey, channelPublicKey, evidenceType, evidence (base64), simulationRoot? },
 *     signature }
 * signature = Ed25519 by signer.publicKey over
 *   "veil-identity/claims/v1" ‖ 0x00 ‖ RFC 8785 (JCS) canonical JSON of { v, type, subject, claims, issuedAt, signer }
 * so the evidence and signer fields are signed as well. `simulationRoot` is only present for
 * simulation evidence; verifiers use it only when told to allow simulation (it proves nothing).
 * The claims carry no name, date of birth or UID: only the facts the holder chose to be certified.
 * Verification order: shape → evidence against the expected measurement, binding the signer key
 * → signature. Not checked: that the subject key is still the holder's (claims do not expire; a
 * relying party that wants freshness asks for a signature by the subject key over its nonce).
 */
import canonicalize from 'canonicalize';
import type { UserPublicKey } from './user-key.ts';

export const CLAIMS_TYPE = 'veil-identity-claims';
const SIG_TAG = new TextEncoder().encode('veil-identity/claims/v1\0');

/** The facts a claims file may carry. */
export interface ClaimSet {
  nationality: string;
  age_over_18: boolean;
  unique: true;
}

export interface ClaimsFile {
  v: 1;
  type: typeof CLAIMS_TYPE;
  subject: UserPublicKey;
  claims: ClaimSet;
  issuedAt: string;
  signer: { publicKey: string; channelPublicKey: string; evidenceType: 'sgx' | 'simulation'; evidence: string; simulationRoot?: string };
  signature: string;
}

/** What a verified claims file says, plus the attestation facts of its signer. */
export interface VerifiedClaims {
  subject: UserPublicKey;
  claims: ClaimSet;
  issuedAt: string;
  measurement: string;
  tee: string;
  simulated: boolean;
}

/** The bytes the claims key signs. */
export function claimsSignedBytes(doc: Omit<ClaimsFile, 'signature'>): Uint8Array {
  const json = canonicalize({ v: doc.v, type: doc.type, subject: doc.subject, claims: doc.claims, issuedAt: doc.issuedAt, signer: doc.signer });
  const body = new TextEncoder().encode(json!);
  const out = new Uint8Array(SIG_TAG.length + body.length);
  out.set(SIG_TAG, 0);
  out.set(body, SIG_TAG.length);
  return out;
}
