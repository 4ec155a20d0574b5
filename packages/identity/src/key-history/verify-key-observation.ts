/**
 * Verifies an issuer-key observation offline (format: @veil/crypto/key-observation), as the CLI and
 * the browser do before trusting a key the issuer no longer publishes. Order: shape → jwks_uri rule
 * → (when given) that it is of the expected key → evidence against the pinned measurements, binding
 * the signer key (claims-signer report data, the same attested key that signs claims files) →
 * signature. Runtime-agnostic.
 * What a valid observation proves: a build with a pinned measurement, holding the signer key, says
 * it read this key from `jwks_uri` over verified TLS at `observed_at` (its clock). It does not prove
 * that the issuer still uses the key, that the key was not stolen, or that the issuer's own servers
 * were not compromised at that time.
 */
import { parseSimulationRoot } from '@veil/attest/simulation-root';
import { fromBase64, fromHex } from '@veil/crypto/bytes';
import {
  aJwksUriForIssuer, assertObservationOf, MAX_OBSERVATION_EVIDENCE_BYTES, parseKeyObservation, verifyKeyObservationSignature, type KeyObservation,
} from '@veil/crypto/key-observation';
import { claimsSignerReportData, verifyBoundEvidence, type EvidenceTrust } from '../enroll/claims-signer.ts';

export interface VerifiedKeyObservation {
  observation: KeyObservation;
  measurement: string;
  tee: string;
  simulated: boolean;
}

/**
 * @example
 * import { verifyKeyObservation } from '@veil/identity/key-history';
 * const v = await verifyKeyObservation(obs, { measurements: [m], verifySgxQuote }, { iss, kid, n, e });
 * @throws VeilError ERR_OBSERVATION_MALFORMED, ERR_OBSERVATION_UNSIGNED, ERR_OBSERVATION_JWKS_HOST, ERR_OBSERVATION_MISMATCH,
 *   ERR_OBSERVATION_SIGNATURE_INVALID and the evidence codes (ERR_MEASUREMENT_MISMATCH,
 *   ERR_REPORT_DATA_MISMATCH, ERR_SIMULATION_NOT_ALLOWED, …).
 */
export async function verifyKeyObservation(input: unknown, trust: EvidenceTrust, expect?: { iss: string; kid: string; n?: string; e?: string }): Promise<VerifiedKeyObservation> {
  const obs = parseKeyObservation(input);
  aJwksUriForIssuer(obs.iss, obs.jwks_uri);
  if (expect) assertObservationOf(obs, expect);
  const s = obs.signer;
  const evidence = fromBase64(s.evidence, MAX_OBSERVATION_EVIDENCE_BYTES, 'ERR_OBSERVATION_MALFORMED', 'signer.evidence');
  const reportData = claimsSignerReportData(fromHex(s.publicKey, 32, 'ERR_OBSERVATION_MALFORMED', 'signer.publicKey'), fromHex(s.channelPublicKey, 32, 'ERR_OBSERVATION_MALFORMED', 'signer.channelPublicKey'));
  // As for claims files: with allowSimulation, the root the observation carries (it proves nothing).
  let simulationRoot = trust.simulationRoot;
  if (s.evidenceType === 'simulation' && trust.allowSimulation === true && !simulationRoot && s.simulationRoot !== undefined) simulationRoot = parseSimulationRoot(s.simulationRoot);
  const facts = await verifyBoundEvidence(s.evidenceType, evidence, reportData, { ...trust, ...(simulationRoot ? { simulationRoot } : {}) });
  verifyKeyObservationSignature(obs);
  return { observation: obs, measurement: facts.measurement, tee: facts.tee, simulated: facts.simulated };
}
