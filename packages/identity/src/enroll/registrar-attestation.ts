/**
 * The registrar key's attestation: evidence whose report data binds the registrar's Ed25519
 * public key, so a verifier of a group tree trusts a leaf signature only when its key comes from
 * an identity service of the expected measurement, not because the board names it.
 *
 *   reportData = SHA-512( "veil-identity/registrar/v1" ‖ 0x00 ‖ registrar public key (32) )
 *
 * The tag differs from the evidence, provisioning and claims-signer tags, so none of those pieces
 * of evidence passes for this one (and the other way round). The service publishes it in
 * `GET /identity/v1/signer` (`registrar`), which the board relays at
 * `/api/identity-service/identity/v1/signer`; the relay is untrusted: the evidence is checked
 * here. Not bound: time or instance (the key is sealed to the measurement and lives across
 * restarts, so any evidence of it from that build is equally good).
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { VeilError } from '@veil/crypto';
import { fromBase64, fromHex, toHex } from '@veil/crypto/bytes';
import { parseSimulationRoot } from '@veil/attest/simulation-root';
import { verifyBoundEvidence, type EvidenceTrust } from './claims-signer.ts';

const TAG = new TextEncoder().encode('veil-identity/registrar/v1\0');

/**
 * The report data binding a registrar public key.
 *
 * @example
 * const rd = registrarReportData(registrarPublicKey);
 * @throws TypeError on a wrong length.
 */
export function registrarReportData(registrarPublicKey: Uint8Array): Uint8Array {
  if (!(registrarPublicKey instanceof Uint8Array) || registrarPublicKey.length !== 32) throw new TypeError('registrarPublicKey must be 32 bytes');
  const input = new Uint8Array(TAG.length + 32);
  input.set(TAG, 0);
  input.set(registrarPublicKey, TAG.length);
  return sha512(input);
}

/** The registrar's key as verified: hex, and what the evidence said. */
export interface AttestedRegistrar {
  publicKey: string;
  measurement: string;
  simulated: boolean;
}

/**
 * Verifies the registrar section of a signer response (`GET /identity/v1/signer`, as relayed)
 * against the expected measurements and, when given, the key the board names.
 * With allowSimulation and no simulationRoot, the root the response carries is used (simulation
 * proves nothing either way; the result says `simulated: true`).
 *
 * @example
 * import { verifyRegistrarAttestation } from '@veil/identity/enroll';
 * const { publicKey } = await verifyRegistrarAttestation(signerJson, { measurements: [m], verifySgxQuote }, groups.registrar);
 * @throws VeilError ERR_REGISTRAR_UNATTESTED (no registrar evidence), ERR_REGISTRAR_MISMATCH (the
 *   board names another key), ERR_EVIDENCE_MALFORMED, ERR_SIMULATION_NOT_ALLOWED,
 *   ERR_MEASUREMENT_MISMATCH, ERR_REPORT_DATA_MISMATCH and the other evidence codes.
 */
export async function verifyRegistrarAttestation(signer: unknown, trust: EvidenceTrust, boardKey?: string | null): Promise<AttestedRegistrar> {
  const s = (typeof signer === 'object' && signer !== null ? signer : {}) as Record<string, unknown>;
  const r = s.registrar as Record<string, unknown> | undefined;
  if (typeof r !== 'object' || r === null) throw new VeilError('ERR_REGISTRAR_UNATTESTED', 'the identity service publishes no attested registrar key');
  const key = fromHex(r.publicKey, 32, 'ERR_EVIDENCE_MALFORMED', 'registrar.publicKey');
  const evidence = fromBase64(r.evidence, 64 * 1024, 'ERR_EVIDENCE_MALFORMED', 'registrar.evidence');
  let simulationRoot = trust.simulationRoot;
  if (!simulationRoot && trust.allowSimulation === true && r.evidenceType === 'simulation') {
    if (typeof s.simulationRoot !== 'string') throw new VeilError('ERR_SIMULATION_NOT_ALLOWED', 'the service publishes no simulation root');
    simulationRoot = parseSimulationRoot(s.simulationRoot);
  }
  const facts = await verifyBoundEvidence(r.evidenceType, evidence, registrarReportData(key), { ...trust, ...(simulationRoot ? { simulationRoot } : {}) });
  const publicKey = toHex(key);
  if (boardKey !== undefined && boardKey !== publicKey) {
    throw new VeilError('ERR_REGISTRAR_MISMATCH', 'the board names a registrar key that is not the attested identity service\'s');
  }
  return { publicKey, measurement: facts.measurement, simulated: facts.simulated };
}
