/**
 * One evidence check for both directions of the UID protocol (a UID node checking the identity
 * service, the identity service checking a UID node): the evidence must verify — SGX through an
 * injected quote verifier (collateral, clock and TCB policy are its business; @veil/attest's
 * verifyQuote in practice), simulation only when `allowSimulation` is true AND that install's root
 * is given — and pass the shared policy: measurement in the pinned allowlist, no debug enclave,
 * report data equal to the expected binding. There is no "any measurement" mode.
 * The policy is applied again after the SGX verifier, so the binding check does not depend on it.
 */
import { VeilError } from '@veil/crypto';
import { applyPolicy, type AttestationFacts, type AttestationPolicy } from '@veil/attest';
import { verifySimulationEvidence } from '@veil/attest/simulation-verify';

/** Verifies an SGX DCAP quote under a policy (e.g. `(q, p) => verifyQuote(q, { ...p, at: new Date(), expectTee: 'sgx' })`). */
export type SgxQuoteVerifier = (quote: Uint8Array, policy: AttestationPolicy) => Promise<AttestationFacts>;

/** Whom to trust: pinned measurements and the evidence types that may prove them. */
export interface TrustPolicy {
  /** Accepted measurements (lowercase hex). Required, non-empty. */
  measurements: readonly string[];
  /** Accept simulation evidence (development only). Default false. */
  allowSimulation?: boolean;
  /** The simulation root (65-byte P-256 public key) to accept simulation evidence from. */
  simulationRoot?: Uint8Array;
  /** Accept debug enclaves. Default false. */
  allowDebug?: boolean;
  /** Needed to accept SGX evidence. */
  verifySgxQuote?: SgxQuoteVerifier;
}

/** Verified facts, with `simulated` set for simulation evidence. */
export type VerifiedFacts = AttestationFacts & { simulated: boolean };

/**
 * Checks a trust policy's shape (caller mistakes are TypeErrors).
 *
 * @example
 * import { aTrustPolicy } from '@veil/uid/verify-evidence';
 * aTrustPolicy({ measurements: [m] });
 * @throws TypeError
 */
export function aTrustPolicy(trust: TrustPolicy, what = 'trust'): TrustPolicy {
  if (!trust || typeof trust !== 'object') throw new TypeError(`${what} is required`);
  if (!Array.isArray(trust.measurements) || trust.measurements.length === 0) throw new TypeError(`${what}.measurements: at least one pinned measurement is required`);
  for (const m of trust.measurements) if (typeof m !== 'string' || !/^(?:[0-9a-f]{2}){16,64}$/.test(m)) throw new TypeError(`${what}.measurements: lowercase hex expected`);
  if (trust.allowSimulation === true && !(trust.simulationRoot instanceof Uint8Array)) throw new TypeError(`${what}.simulationRoot is required when simulation is allowed`);
  return trust;
}

/**
 * Verifies evidence of the given type against a trust policy and an expected report-data binding.
 *
 * @example
 * import { verifyAttestedEvidence } from '@veil/uid/verify-evidence';
 * const facts = await verifyAttestedEvidence({ type: 'simulation', evidence, reportData }, trust);
 * @throws VeilError ERR_SIMULATION_NOT_ALLOWED, ERR_SGX_VERIFIER_MISSING, ERR_EVIDENCE_MALFORMED and the
 *   verifiers' and policy's codes (ERR_MEASUREMENT_MISMATCH, ERR_REPORT_DATA_MISMATCH, ERR_SIMULATION_SIGNATURE, …)
 */
export async function verifyAttestedEvidence(e: { type: unknown; evidence: Uint8Array; reportData: Uint8Array }, trust: TrustPolicy): Promise<VerifiedFacts> {
  aTrustPolicy(trust);
  const policy = { measurements: [...trust.measurements], reportData: e.reportData, allowDebug: trust.allowDebug === true };
  if (e.type === 'simulation') {
    if (trust.allowSimulation !== true) {
      throw new VeilError('ERR_SIMULATION_NOT_ALLOWED', 'simulation evidence is refused unless simulation is explicitly allowed');
    }
    return verifySimulationEvidence(e.evidence, { ...policy, allowSimulation: true, simulationRoot: trust.simulationRoot });
  }
  if (e.type === 'sgx') {
    if (!trust.verifySgxQuote) throw new VeilError('ERR_SGX_VERIFIER_MISSING', 'no SGX quote verifier was configured');
    const sgxPolicy: AttestationPolicy = { ...policy, tees: ['sgx'] };
    return { ...applyPolicy(await trust.verifySgxQuote(e.evidence, sgxPolicy), sgxPolicy), simulated: false };
  }
  throw new VeilError('ERR_EVIDENCE_MALFORMED', 'unknown evidence type');
}
