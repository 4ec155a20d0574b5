/**
 * Simulation evidence: the development stand-in for an SGX quote, produced without any TEE.
 *
 * Format (version 1, fixed 204 bytes, big-endian integers):
 *   0   8  magic "VEIL-SIM"
 *   8   2  version = 1
 *   10  2  flags = 0 (reserved; any other value is rejected)
 *   12  32 measurement (the reproducible enclave bundle hash)
 *   44  64 report data (same role as SGX REPORTDATA)
 *   108 32 root key id = SHA-256(uncompressed simulation-root public key)
 *   140 64 ECDSA P-256 / SHA-256 signature (r ‖ s, low-S) over bytes 0..140
 *
 * Trust: the signature only proves possession of a per-install simulation root key that lives in
 * a data directory on the same machine. It says NOTHING about isolation: anyone with that
 * directory can mint evidence for any measurement. Verifiers accept it only when explicitly told
 * to (see simulation-verify.ts) and the facts they return carry `simulated: true`.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { VeilError } from '@veil/crypto';
import { aReportData } from './producers/producer.ts';

/** ASCII "VEIL-SIM". */
const MAGIC = new Uint8Array([0x56, 0x45, 0x49, 0x4c, 0x2d, 0x53, 0x49, 0x4d]);
const VERSION = 1;
const SIGNED_LENGTH = 140;

/** The exact length of version-1 simulation evidence. */
export const SIMULATION_EVIDENCE_LENGTH = 204;

/** The fields of parsed (not yet verified) simulation evidence. */
export interface SimulationEvidence {
  version: 1;
  measurement: Uint8Array;
  reportData: Uint8Array;
  rootKeyId: Uint8Array;
  /** Bytes 0..140, the part the signature covers. */
  signed: Uint8Array;
  signature: Uint8Array;
}

/** SHA-256 of an uncompressed P-256 public key: how evidence names the root that signed it. */
export function simulationRootKeyId(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey);
}

/**
 * Signs simulation evidence with the simulation root's secret key.
 *
 * @example
 * import { signSimulationEvidence } from '@veil/attest/simulation-evidence';
 * const evidence = signSimulationEvidence({ rootSecretKey, measurement, reportData });
 * @throws TypeError on wrong argument lengths (caller mistakes).
 */
export function signSimulationEvidence(args: {
  rootSecretKey: Uint8Array;
  measurement: Uint8Array;
  reportData: Uint8Array;
}): Uint8Array {
  const { rootSecretKey, measurement } = args;
  const reportData = aReportData(args.reportData);
  if (!(measurement instanceof Uint8Array) || measurement.length !== 32) {
    throw new TypeError('measurement must be 32 bytes');
  }
  if (!(rootSecretKey instanceof Uint8Array) || !p256.utils.isValidSecretKey(rootSecretKey)) {
    throw new TypeError('rootSecretKey must be a valid P-256 secret key');
  }
  const header = new Uint8Array(12);
  header.set(MAGIC, 0);
  new DataView(header.buffer).setUint16(8, VERSION);
  const keyId = simulationRootKeyId(p256.getPublicKey(rootSecretKey, false));
  const signed = concatBytes(header, measurement, reportData, keyId);
  const signature = p256.sign(signed, rootSecretKey);
  return concatBytes(signed, signature);
}

/**
 * Splits simulation evidence into its fields. Checks structure only, not the signature.
 *
 * @example
 * import { parseSimulationEvidence } from '@veil/attest/simulation-evidence';
 * const { measurement, reportData } = parseSimulationEvidence(bytes);
 * @throws VeilError ERR_SIMULATION_MALFORMED
 */
export function parseSimulationEvidence(bytes: Uint8Array): SimulationEvidence {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('evidence must be a Uint8Array');
  if (bytes.length !== SIMULATION_EVIDENCE_LENGTH) {
    throw new VeilError(
      'ERR_SIMULATION_MALFORMED',
      `simulation evidence must be ${SIMULATION_EVIDENCE_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new VeilError('ERR_SIMULATION_MALFORMED', 'not simulation evidence (bad magic)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(8);
  if (version !== VERSION) {
    throw new VeilError('ERR_SIMULATION_MALFORMED', `unsupported simulation evidence version ${version}`);
  }
  if (view.getUint16(10) !== 0) throw new VeilError('ERR_SIMULATION_MALFORMED', 'reserved flags are set');
  return {
    version: 1,
    measurement: bytes.slice(12, 44),
    reportData: bytes.slice(44, 108),
    rootKeyId: bytes.slice(108, 140),
    signed: bytes.slice(0, SIGNED_LENGTH),
    signature: bytes.slice(SIGNED_LENGTH),
  };
}
