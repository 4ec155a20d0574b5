/**
 * The evidence-producer interface shared by every TEE backend (Gramine-SGX, simulation).
 *
 * A producer answers three questions for the service running inside the TEE:
 * - `measurement`: the code identity a verifier pins (MRENCLAVE for SGX, the reproducible bundle
 *   hash for simulation), lowercase hex;
 * - `evidence(reportData)`: hardware- (or simulation-root-) signed evidence that embeds the
 *   caller's 64 bytes of report data, so a verifier can bind it to a fresh challenge and a key;
 * - `sealKey()`: the raw platform sealing key bound to the measurement. Never use it directly:
 *   `seal`/`unseal` derive purpose keys from it with HKDF.
 *
 * Producers do not verify their own output; verifiers live in the verify-* modules.
 */

/** Evidence type tags; they match the `--type` values of `veil attest verify` where a real TEE exists. */
export type EvidenceType = 'sgx' | 'simulation';

/** The length in bytes of the report data every producer embeds (SGX REPORTDATA is 64 bytes). */
export const REPORT_DATA_LENGTH = 64;

/** A source of attestation evidence and sealing keys for the code that is running. */
export interface EvidenceProducer {
  /** `sgx` for quotes from real hardware, `simulation` for the software-signed development mode. */
  readonly type: EvidenceType;
  /** True only for the simulation producer; callers must warn loudly whenever this is true. */
  readonly simulated: boolean;
  /** The measurement a verifier pins, lowercase hex (32 bytes for both producers). */
  readonly measurement: string;
  /** Evidence embedding exactly `reportData` (64 bytes). */
  evidence(reportData: Uint8Array): Promise<Uint8Array>;
  /** The raw sealing key bound to `measurement` (16 bytes on SGX, 32 in simulation). */
  sealKey(): Promise<Uint8Array>;
}

/** @internal Checks a report-data argument; a wrong length is a caller mistake. */
export function aReportData(reportData: Uint8Array): Uint8Array {
  if (!(reportData instanceof Uint8Array) || reportData.length !== REPORT_DATA_LENGTH) {
    throw new TypeError(`reportData must be a Uint8Array of ${REPORT_DATA_LENGTH} bytes`);
  }
  return reportData;
}
