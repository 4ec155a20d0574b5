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

/** Options for {@link verifySimulationEvidence}. */
export interface VerifySimulationOptions {
  /** Must be exactly `true`: simulation evidence is never accepted by default. */
  allowSimulation: boolean;
  /** The uncompressed P-256 public key of the one simulation root to trust (see parseSimulationRoot). */
  simulationRoot?: Uint8Array;
  /** Accepted measurements (lowercase or uppercase hex). Omit to skip the check (the CLI always sets it). */
  expectedMeasurement?: string | readonly string[];
  /** When given, the evidence's report data must equal these 64 bytes exactly. */
  reportData?: Uint8Array;
}

/** What verified simulation evidence asserts. */
export interface SimulationFacts {
  type: 'simulation';
  simulated: true;
  /** Never debug: there is no debug mode to report, and the field keeps the shape of SGX facts. */
  debug: false;
  measurement: string;
  reportData: string;
  /** Hex SHA-256 of the root public key that signed it. */
  rootKeyId: string;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/**
 * Verifies simulation evidence and returns its facts, or throws.
 *
 * @example
 * import { verifySimulationEvidence } from '@veil/attest/simulation-verify';
 * const facts = verifySimulationEvidence(evidence, {
 *   allowSimulation: true, simulationRoot, expectedMeasurement: measurementHex, reportData,
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
  if (options.reportData !== undefined && (!(options.reportData instanceof Uint8Array) || options.reportData.length !== 64)) {
    throw new TypeError('reportData must be 64 bytes');
  }
  const expected = options.expectedMeasurement === undefined
    ? undefined
    : (typeof options.expectedMeasurement === 'string' ? [options.expectedMeasurement] : [...options.expectedMeasurement]);
  if (expected) {
    if (expected.length === 0) throw new TypeError('expectedMeasurement must list at least one measurement');
    for (const m of expected) {
      if (typeof m !== 'string' || !/^[0-9a-fA-F]{64}$/.test(m)) throw new TypeError('expectedMeasurement must be 32-byte hex');
    }
  }

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
  if (expected && !expected.some((m) => m.toLowerCase() === measurement)) {
    throw new VeilError('ERR_MEASUREMENT_MISMATCH', `measurement ${measurement} is not an expected measurement`);
  }
  if (options.reportData && !equal(ev.reportData, options.reportData)) {
    throw new VeilError('ERR_REPORT_DATA_MISMATCH', 'report data does not match the expected binding');
  }
  return {
    type: 'simulation',
    simulated: true,
    debug: false,
    measurement,
    reportData: bytesToHex(ev.reportData),
    rootKeyId: bytesToHex(ev.rootKeyId),
  };
}
