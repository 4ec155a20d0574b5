// Verifies a claims file offline (format: claims-file.ts): shape → evidence against the expected
// measurement, binding the signer key → signature.
import { ed25519 } from '@noble/curves/ed25519.js';
import { parseSimulationRoot } from '@veil/attest/simulation-root';
import { VeilError } from '@veil/crypto';
import { fromBase64, fromHex } from '@veil/crypto/bytes';
import { MAX_EVIDENCE_BYTES } from '../wire.ts';
import { claimsSignerReportData, verifyBoundEvidence, type EvidenceTrust } from './claims-signer.ts';
import { CLAIMS_TYPE, claimsSignedBytes, type ClaimsFile, type VerifiedClaims } from './claims-file.ts';
import { aUserPublicKey, type UserPublicKey } from './user-key.ts';

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
    ok = ed25519.verify(signature, claimsSignedBytes(doc), signerKey);
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
