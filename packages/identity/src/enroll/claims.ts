/**
 * Signed claims: what the identity service states about the holder of a public key, e.g.
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
import { ed25519 } from '@noble/curves/ed25519.js';
import canonicalize from 'canonicalize';
import { parseSimulationRoot, exportSimulationRoot } from '@veil/attest/simulation-root';
import { VeilError } from '@veil/crypto';
import { fromBase64, fromHex, toBase64, toHex } from '../lib/encoding.ts';
import { MAX_EVIDENCE_BYTES } from '../wire.ts';
import { claimsSignerReportData, verifyBoundEvidence, type ClaimsSigner, type EvidenceTrust } from './claims-signer.ts';
import { aUserPublicKey, type UserPublicKey } from './user-key.ts';

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

function signedBytes(doc: Omit<ClaimsFile, 'signature'>): Uint8Array {
  const json = canonicalize({ v: doc.v, type: doc.type, subject: doc.subject, claims: doc.claims, issuedAt: doc.issuedAt, signer: doc.signer });
  const body = new TextEncoder().encode(json!);
  const out = new Uint8Array(SIG_TAG.length + body.length);
  out.set(SIG_TAG, 0);
  out.set(body, SIG_TAG.length);
  return out;
}

/**
 * Issues a claims file for `subject` (inside the service).
 *
 * @example
 * const file = signClaims(signer, subject, { nationality: 'NL', age_over_18: true, unique: true }, new Date(), rootPublicKey);
 * @throws VeilError ERR_KEY_INVALID on a malformed subject.
 */
export function signClaims(signer: ClaimsSigner, subject: UserPublicKey, claims: ClaimSet, at: Date, simulationRoot?: Uint8Array): ClaimsFile {
  const doc: Omit<ClaimsFile, 'signature'> = {
    v: 1,
    type: CLAIMS_TYPE,
    subject: aUserPublicKey(subject),
    claims: { nationality: claims.nationality, age_over_18: claims.age_over_18, unique: true },
    issuedAt: at.toISOString(),
    signer: {
      publicKey: toHex(signer.publicKey),
      channelPublicKey: toHex(signer.channelPublicKey),
      evidenceType: signer.type,
      evidence: toBase64(signer.evidence),
      ...(signer.type === 'simulation' && simulationRoot ? { simulationRoot: exportSimulationRoot(simulationRoot) } : {}),
    },
  };
  return { ...doc, signature: toHex(signer.sign(signedBytes(doc))) };
}

function malformed(message: string): never {
  throw new VeilError('ERR_CLAIMS_MALFORMED', message);
}

/**
 * Verifies a claims file offline: evidence against the expected measurements, then the signature.
 * With `allowSimulation`, simulation evidence is checked against the root the file itself carries
 * (or `trust.simulationRoot` when given): that proves nothing and is for development only.
 *
 * @example
 * import { verifyClaims } from '@veil/identity/enroll';
 * const facts = await verifyClaims(JSON.parse(text), { measurements: [m], verifySgxQuote });
 * @throws VeilError ERR_CLAIMS_MALFORMED, ERR_CLAIMS_SIGNATURE_INVALID and the evidence codes
 *   (ERR_MEASUREMENT_MISMATCH, ERR_REPORT_DATA_MISMATCH, ERR_SIMULATION_NOT_ALLOWED, …).
 */
export async function verifyClaims(file: unknown, trust: EvidenceTrust): Promise<VerifiedClaims> {
  const f = file as Record<string, unknown> | null;
  if (!f || typeof f !== 'object' || f.v !== 1 || f.type !== CLAIMS_TYPE) malformed('not a version-1 veil-identity-claims file');
  const allowed = new Set(['v', 'type', 'subject', 'claims', 'issuedAt', 'signer', 'signature']);
  if (Object.keys(f).some((k) => !allowed.has(k))) malformed('unknown top-level field');
  let subject: UserPublicKey;
  try {
    subject = aUserPublicKey(f.subject);
  } catch {
    malformed('subject is not a valid public key');
  }
  const c = f.claims as Record<string, unknown> | null;
  if (!c || typeof c !== 'object' || Object.keys(c).length !== 3 || typeof c.nationality !== 'string' || !/^[A-Z]{2}$/.test(c.nationality)
    || typeof c.age_over_18 !== 'boolean' || c.unique !== true) malformed('claims must be { nationality, age_over_18, unique: true }');
  if (typeof f.issuedAt !== 'string' || Number.isNaN(Date.parse(f.issuedAt)) || new Date(f.issuedAt).toISOString() !== f.issuedAt) malformed('issuedAt must be an ISO 8601 UTC time');
  const s = f.signer as Record<string, unknown> | null;
  if (!s || typeof s !== 'object') malformed('signer missing');
  if (Object.keys(s).some((k) => !['publicKey', 'channelPublicKey', 'evidenceType', 'evidence', 'simulationRoot'].includes(k))) malformed('unknown signer field');
  const signerKey = fromHex(s.publicKey, 32, 'ERR_CLAIMS_MALFORMED', 'signer.publicKey');
  const channelKey = fromHex(s.channelPublicKey, 32, 'ERR_CLAIMS_MALFORMED', 'signer.channelPublicKey');
  const evidence = fromBase64(s.evidence, MAX_EVIDENCE_BYTES, 'ERR_CLAIMS_MALFORMED', 'signer.evidence');
  if (s.evidenceType !== 'sgx' && s.evidenceType !== 'simulation') malformed('signer.evidenceType must be sgx or simulation');
  if (s.simulationRoot !== undefined && (typeof s.simulationRoot !== 'string' || s.evidenceType !== 'simulation')) malformed('signer.simulationRoot only goes with simulation evidence');
  const signature = fromHex(f.signature, 64, 'ERR_CLAIMS_MALFORMED', 'signature');

  let simulationRoot = trust.simulationRoot;
  if (s.evidenceType === 'simulation' && trust.allowSimulation === true && !simulationRoot && typeof s.simulationRoot === 'string') {
    simulationRoot = parseSimulationRoot(s.simulationRoot);
  }
  const facts = await verifyBoundEvidence(s.evidenceType, evidence, claimsSignerReportData(signerKey, channelKey), { ...trust, simulationRoot });

  const doc = f as unknown as ClaimsFile;
  let ok = false;
  try {
    ok = ed25519.verify(signature, signedBytes(doc), signerKey);
  } catch {
    ok = false;
  }
  if (!ok) throw new VeilError('ERR_CLAIMS_SIGNATURE_INVALID', 'the claims signature does not verify under the attested signer key');
  return {
    subject,
    claims: { nationality: c.nationality as string, age_over_18: c.age_over_18 as boolean, unique: true },
    issuedAt: f.issuedAt as string,
    measurement: facts.measurement,
    tee: facts.tee,
    simulated: facts.simulated,
  };
}
