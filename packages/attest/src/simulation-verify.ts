/**
 * Verifies simulation evidence (see simulation-evidence.ts) against ONE explicitly given
 * simulation root, and applies the same policy checks a hardware quote gets: expected
 * measurement(s) and an exact report-data binding.
 *
 * Trust: the caller-supplied root public key, nothing else. Simulation evidence proves no
 * isolation at all, so it is refused unless `allowSimulation: true` is passed, and the returned
 * facts always carry `simulated: true` so that callers can (and must) warn.
 * Not checked: freshness (bind a fresh challenge into the report data for that) and any
 * platform state (there is none).
 */
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { VeilError } from '@veil/crypto';
import { parseSimulationEvidence, simulationRootKeyId } from './simulation-evidence.ts';
import { applyPolicy, checkPolicy, type AttestationFacts, type AttestationPolicy } from './policy.ts';

/** Options for {@link verifySimulationEvidence}: the shared policy plus the explicit simulation opt-in. */
export interface VerifySimulationOptions extends Omit<AttestationPolicy, 'tees'> {
  /** Must be exactly `true`: simulation evidence is never accepted by default. */
  allowSimulation: boolean;
  /** The uncompressed P-256 public key of the one simulation root to trust (see parseSimulationRoot). */
  simulationRoot?: Uint8Array;
  /** The time recorded as `verifiedAt` (default: now). Simulation evidence has no validity window. */
  at?: Date;
}

/** Facts of verified simulation evidence: the shared facts shape, always marked simulated. */
export type SimulationFacts = AttestationFacts & { tee: 'simulation'; simulated: true; debug: false };

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/**
 * Verifies simulation evidence, applies the policy (measurement allowlist, report-data binding)
 * and returns its facts, or throws.
 *
 * @example
 * import { verifySimulationEvidence } from '@veil/attest/simulation-verify';
 * const facts = verifySimulationEvidence(evidence, {
 *   allowSimulation: true, simulationRoot, measurements: [measurementHex], reportData,
 * });
 * @throws VeilError ERR_SIMULATION_NOT_ALLOWED, ERR_SIMULATION_MALFORMED, ERR_SIMULATION_ROOT_MISMATCH,
 *   ERR_SIMULATION_SIGNATURE, ERR_MEASUREMENT_MISMATCH, ERR_REPORT_DATA_MISMATCH
 */
export function verifySimulationEvidence(evidence: Uint8Array, options: VerifySimulationOptions): SimulationFacts {
  if (!options || typeof options !== 'object') throw new TypeError('options are required');
  if (options.allowSimulation !== true) {
    throw new VeilError(
      'ERR_SIMULATION_NOT_ALLOWED',
      'simulation evidence proves no TEE isolation and is refused unless simulation is explicitly allowed',
    );
  }
  const root = options.simulationRoot;
  if (!(root instanceof Uint8Array) || root.length !== 65) {
    throw new TypeError('simulationRoot (65-byte uncompressed P-256 public key) is required to accept simulation evidence');
  }
  const { allowSimulation: _a, simulationRoot: _r, at, ...rest } = options;
  const policy: AttestationPolicy = checkPolicy({ ...rest, tees: ['simulation'] });
  const verifiedAt = at ?? new Date();
  if (!(verifiedAt instanceof Date) || Number.isNaN(verifiedAt.getTime())) throw new TypeError('at: expected a valid Date');

  const ev = parseSimulationEvidence(evidence);
  if (!equal(ev.rootKeyId, simulationRootKeyId(root))) {
    throw new VeilError('ERR_SIMULATION_ROOT_MISMATCH', 'simulation evidence was signed by a different simulation root');
  }
  let ok = false;
  try {
    ok = p256.verify(ev.signature, ev.signed, root);
  } catch {
    ok = false;
  }
  if (!ok) throw new VeilError('ERR_SIMULATION_SIGNATURE', 'simulation evidence signature is invalid');

  const measurement = bytesToHex(ev.measurement);
  const facts: SimulationFacts = {
    v: 1,
    tee: 'simulation',
    simulated: true,
    measurement,
    measurements: { build: measurement },
    reportData: bytesToHex(ev.reportData),
    debug: false,
    verifiedAt: verifiedAt.toISOString(),
    details: { format: 'veil-simulation-v1', rootKeyId: bytesToHex(ev.rootKeyId) },
  };
  applyPolicy(facts, policy);
  return facts;
}
