/**
 * The simulation producer: evidence signed by the per-install simulation root (no TEE at all).
 *
 * Measurement: the reproducible enclave bundle hash passed in by the caller (the identity package
 * computes it; see `veil attest measure`). Evidence: simulation-evidence.ts v1. Sealing key: the
 * per-install random key from simulation-store.ts, which `seal` stretches with HKDF together with
 * the measurement, so a different build cannot unseal.
 * Everything that consumes this producer must print a loud warning: `simulated` is true.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { signSimulationEvidence } from '../simulation-evidence.ts';
import { loadSimulationInstall } from '../simulation-store.ts';
import { aReportData, type EvidenceProducer } from './producer.ts';

/** A simulation producer plus where its public root lives. */
export interface SimulationProducer extends EvidenceProducer {
  readonly type: 'simulation';
  readonly simulated: true;
  /** Uncompressed P-256 public key of this install's simulation root. */
  readonly rootPublicKey: Uint8Array;
  /** Path of the root file verifiers must be given (`--simulation-root`). */
  readonly rootPublicPath: string;
}

/**
 * Creates the simulation producer for the install in `dataDir`.
 *
 * @example
 * import { createSimulationProducer } from '@veil/attest/producers/simulation';
 * const producer = await createSimulationProducer({ dataDir: './data/enclave', measurement });
 * @throws TypeError when measurement is not 32-byte hex; VeilError codes of loadSimulationInstall.
 */
export async function createSimulationProducer(opts: { dataDir: string; measurement: string }): Promise<SimulationProducer> {
  if (typeof opts?.measurement !== 'string' || !/^[0-9a-f]{64}$/.test(opts.measurement)) {
    throw new TypeError('measurement must be 32 bytes of lowercase hex');
  }
  const install = await loadSimulationInstall(opts.dataDir);
  const measurementBytes = hexToBytes(opts.measurement);
  return Object.freeze({
    type: 'simulation' as const,
    simulated: true as const,
    measurement: opts.measurement,
    rootPublicKey: install.rootPublicKey,
    rootPublicPath: install.rootPublicPath,
    async evidence(reportData: Uint8Array): Promise<Uint8Array> {
      return signSimulationEvidence({ rootSecretKey: install.rootSecretKey, measurement: measurementBytes, reportData: aReportData(reportData) });
    },
    async sealKey(): Promise<Uint8Array> {
      return install.sealKey.slice();
    },
  });
}
