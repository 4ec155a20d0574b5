/**
 * The service's attested claims key: an Ed25519 key generated in the enclave at start, never
 * exported, whose public half the evidence binds together with the channel key:
 *
 *   reportData = SHA-512( "veil-identity/claims-signer/v1" ‖ 0x00 ‖ claims public key (32) ‖ channel public key (32) )
 *
 * The tag differs from the evidence and provisioning tags (report-data.ts), so none of these
 * pieces of evidence passes for another. The evidence is made once per process and attached to
 * every claims file, which makes a claims file verifiable offline: the verifier checks the
 * evidence against the measurement it expects and then the Ed25519 signature.
 * Not bound: time (evidence has no expiry; a claims file says when it was issued, and a key
 * from a build later found vulnerable stays valid for that build's measurement — pin builds).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { applyPolicy, type AttestationFacts, type AttestationPolicy } from '@veil/attest/policy';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { verifySimulationEvidence } from '@veil/attest/simulation-verify';
import { VeilError } from '@veil/crypto';
import type { SgxQuoteVerifier } from '../verify-evidence.ts';

const TAG = new TextEncoder().encode('veil-identity/claims-signer/v1\0');

/**
 * The report data binding a claims key to a channel key.
 *
 * @example
 * const rd = claimsSignerReportData(claimsPublicKey, channelPublicKey);
 * @throws TypeError on wrong lengths.
 */
export function claimsSignerReportData(claimsPublicKey: Uint8Array, channelPublicKey: Uint8Array): Uint8Array {
  if (claimsPublicKey?.length !== 32 || channelPublicKey?.length !== 32) throw new TypeError('keys must be 32 bytes');
  const input = new Uint8Array(TAG.length + 64);
  input.set(TAG, 0);
  input.set(claimsPublicKey, TAG.length);
  input.set(channelPublicKey, TAG.length + 32);
  return sha512(input);
}

/** The in-memory claims key and its evidence. */
export interface ClaimsSigner {
  publicKey: Uint8Array;
  channelPublicKey: Uint8Array;
  type: 'sgx' | 'simulation';
  evidence: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * Generates the claims key and asks the producer for evidence that binds it.
 *
 * @example
 * const signer = await createClaimsSigner(producer, channel.publicKey);
 * @throws the producer's codes.
 */
export async function createClaimsSigner(producer: EvidenceProducer, channelPublicKey: Uint8Array): Promise<ClaimsSigner> {
  const secretKey = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(secretKey);
  const evidence = await producer.evidence(claimsSignerReportData(publicKey, channelPublicKey));
  return Object.freeze({ publicKey, channelPublicKey, type: producer.type, evidence, sign: (m: Uint8Array) => ed25519.sign(m, secretKey) });
}

/** How to trust a piece of evidence. */
export interface EvidenceTrust {
  measurements: readonly string[];
  allowSimulation?: boolean;
  simulationRoot?: Uint8Array;
  allowDebug?: boolean;
  verifySgxQuote?: SgxQuoteVerifier;
}

/**
 * Verifies evidence of type `type` against an expected report data and the trust options.
 *
 * @example
 * const facts = await verifyBoundEvidence('simulation', evidence, reportData, { measurements: [m], allowSimulation: true, simulationRoot });
 * @throws VeilError ERR_SIMULATION_NOT_ALLOWED, ERR_SGX_VERIFIER_MISSING, ERR_EVIDENCE_MALFORMED and the verifiers' codes.
 */
export async function verifyBoundEvidence(type: unknown, evidence: Uint8Array, reportData: Uint8Array, trust: EvidenceTrust): Promise<AttestationFacts & { simulated: boolean }> {
  if (!Array.isArray(trust?.measurements) || trust.measurements.length === 0) throw new TypeError('measurements: at least one expected measurement is required');
  const policy = { measurements: [...trust.measurements], reportData, allowDebug: trust.allowDebug === true };
  if (type === 'simulation') {
    if (trust.allowSimulation !== true) throw new VeilError('ERR_SIMULATION_NOT_ALLOWED', 'simulation evidence is refused unless simulation is explicitly allowed');
    if (!trust.simulationRoot) throw new VeilError('ERR_SIMULATION_NOT_ALLOWED', 'simulation evidence needs the simulation root of its install');
    return { ...verifySimulationEvidence(evidence, { ...policy, allowSimulation: true, simulationRoot: trust.simulationRoot }), simulated: true };
  }
  if (type === 'sgx') {
    if (!trust.verifySgxQuote) throw new VeilError('ERR_SGX_VERIFIER_MISSING', 'no SGX quote verifier was configured');
    const sgxPolicy: AttestationPolicy = { ...policy, tees: ['sgx'] };
    return { ...applyPolicy(await trust.verifySgxQuote(evidence, sgxPolicy), sgxPolicy), simulated: false };
  }
  throw new VeilError('ERR_EVIDENCE_MALFORMED', 'unknown evidence type');
}
