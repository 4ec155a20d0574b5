/**
 * Client-side check of enclave-service evidence (used by `veil attest verify-url` and by the
 * provisioning agent): the evidence must verify (SGX through the attest package's quote verifier,
 * simulation only when explicitly allowed with its root), pass the shared policy (expected
 * measurement, no debug) and carry report data = deriveReportData(purpose, OUR challenge,
 * the channel key in the response). The response's own `measurement`/`simulated` fields are
 * informational and never trusted: the facts come from the evidence.
 */
import { VeilError } from '@veil/crypto';
import { applyPolicy, type AttestationFacts, type AttestationPolicy } from '@veil/attest/policy';
import { verifySimulationEvidence } from '@veil/attest/simulation-verify';
import { deriveReportData, type ReportDataPurpose } from './report-data.ts';
import { fromBase64, fromHex } from '@veil/crypto/bytes';
import { MAX_EVIDENCE_BYTES } from './wire.ts';

/** Verifies an SGX DCAP quote and applies the policy; the attest package provides the default. */
export type SgxQuoteVerifier = (quote: Uint8Array, policy: AttestationPolicy) => Promise<AttestationFacts>;

/** Options for {@link verifyEnclaveEvidence}. */
export interface VerifyEnclaveEvidenceOptions {
  purpose: ReportDataPurpose;
  /** The 32-byte challenge WE chose for this exchange. */
  challenge: Uint8Array;
  /** Accepted measurements (hex). Required: there is no "any build" mode. */
  measurements: readonly string[];
  /** Accept simulation evidence (with `simulationRoot`). Default false. */
  allowSimulation?: boolean;
  simulationRoot?: Uint8Array;
  /** Accept debug-mode enclaves. Default false. */
  allowDebug?: boolean;
  /** Verifier for SGX quotes (collateral, time, TCB policy are its business). */
  verifySgxQuote?: SgxQuoteVerifier;
}

/** Verified facts plus the channel key the evidence binds. */
export interface VerifiedEnclave {
  facts: AttestationFacts & { simulated?: boolean };
  simulated: boolean;
  channelPublicKey: Uint8Array;
}

/**
 * Verifies an evidence response (`EvidenceResponse` JSON, untrusted) against a challenge.
 *
 * @example
 * import { verifyEnclaveEvidence } from '@veil/identity/verify-evidence';
 * const { channelPublicKey } = await verifyEnclaveEvidence(json, { purpose: 'evidence', challenge, measurements: [m] });
 * @throws VeilError ERR_EVIDENCE_MALFORMED, ERR_SIMULATION_NOT_ALLOWED, ERR_SGX_VERIFIER_MISSING and the
 *   codes of the evidence verifiers and the policy (ERR_MEASUREMENT_MISMATCH, ERR_REPORT_DATA_MISMATCH, …)
 */
export async function verifyEnclaveEvidence(response: unknown, opts: VerifyEnclaveEvidenceOptions): Promise<VerifiedEnclave> {
  if (!(opts?.challenge instanceof Uint8Array) || opts.challenge.length !== 32) throw new TypeError('challenge must be 32 bytes');
  if (!Array.isArray(opts.measurements) || opts.measurements.length === 0) throw new TypeError('measurements: at least one expected measurement is required');
  const r = response as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || r.v !== 1) throw new VeilError('ERR_EVIDENCE_MALFORMED', 'not a version-1 evidence response');
  const channelPublicKey = fromHex(r.channelPublicKey, 32, 'ERR_EVIDENCE_MALFORMED', 'channelPublicKey');
  const evidence = fromBase64(r.evidence, MAX_EVIDENCE_BYTES, 'ERR_EVIDENCE_MALFORMED', 'evidence');
  const reportData = deriveReportData(opts.purpose, opts.challenge, channelPublicKey);
  const policy = { measurements: [...opts.measurements], reportData, allowDebug: opts.allowDebug === true };

  if (r.type === 'simulation') {
    if (opts.allowSimulation !== true) {
      throw new VeilError('ERR_SIMULATION_NOT_ALLOWED', 'the service presents simulation evidence, which is refused unless simulation is explicitly allowed');
    }
    if (!opts.simulationRoot) throw new TypeError('simulationRoot is required when simulation is allowed');
    const facts = verifySimulationEvidence(evidence, { ...policy, allowSimulation: true, simulationRoot: opts.simulationRoot });
    return { facts, simulated: true, channelPublicKey };
  }
  if (r.type === 'sgx') {
    if (!opts.verifySgxQuote) throw new VeilError('ERR_SGX_VERIFIER_MISSING', 'no SGX quote verifier was configured');
    const sgxPolicy: AttestationPolicy = { ...policy, tees: ['sgx'] };
    // The verifier applies the policy; applying it again here keeps the binding check independent of it.
    const facts = applyPolicy(await opts.verifySgxQuote(evidence, sgxPolicy), sgxPolicy);
    return { facts, simulated: false, channelPublicKey };
  }
  throw new VeilError('ERR_EVIDENCE_MALFORMED', 'unknown evidence type');
}
