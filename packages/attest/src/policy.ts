/**
 * The attestation policy layer, shared by every evidence type (SGX, TDX, Nitro, SEV-SNP and the
 * producer side's simulation evidence).
 *
 * A verifier first checks the evidence cryptographically and reduces it to `AttestationFacts`
 * (plain JSON: lowercase hex strings, ISO dates). `applyPolicy` then decides whether those facts are
 * acceptable: TEE type allowlist (simulation is never accepted unless listed explicitly), measurement
 * allowlist, debug forbidden unless `allowDebug`, report_data equal to an expected binding, and the
 * TCB status allowlist. It trusts the facts it is given; it checks no signature itself.
 *
 * report_data matching: the expected binding must equal the report_data field exactly, or be a
 * prefix of it followed only by zero bytes (e.g. a SHA-256 binding in a 64-byte SGX field).
 */
import { fail, toHex } from './lib/bytes.ts';

/** TEE kinds a verifier can produce facts for. `simulation` is the producer package's software-only evidence. */
export type TeeType = 'sgx' | 'tdx' | 'nitro' | 'sev-snp' | 'simulation';

export const TEE_TYPES: readonly TeeType[] = Object.freeze(['sgx', 'tdx', 'nitro', 'sev-snp', 'simulation']);

/** Intel TCB statuses (PCS v3/v4 vocabulary); other TEEs have no collateral-based status. */
export type TcbStatus =
  | 'UpToDate'
  | 'SWHardeningNeeded'
  | 'ConfigurationNeeded'
  | 'ConfigurationAndSWHardeningNeeded'
  | 'OutOfDate'
  | 'OutOfDateConfigurationNeeded'
  | 'Revoked';

/** Statuses accepted when the caller does not say otherwise. */
export const DEFAULT_TCB_STATUSES: readonly TcbStatus[] = Object.freeze([
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
]);

/**
 * What a verifier established about a piece of evidence. Every field is JSON-safe.
 * - `measurement`: the value compared with the policy's allowlist — SGX MRENCLAVE, TDX MRTD,
 *   Nitro PCR0, SEV-SNP MEASUREMENT, simulation: the reproducible build hash.
 * - `measurements`: every measurement register by name (mrenclave, mrsigner, mrtd, rtmr0…3,
 *   pcr0…15, …), lowercase hex.
 * - `reportData`: the caller-chosen data bound into the evidence (SGX/TDX/SEV: 64-byte report_data;
 *   Nitro: user_data, '' when absent).
 * - `debug`: the TEE runs in a debug mode that lets the host read its memory.
 * - `tcb`: present only when collateral was checked (Intel TCB info / QE identity).
 * - `details`: TEE-specific facts (versions, SVNs, FMSPC, chains' validity windows, nonce, …).
 */
export interface AttestationFacts {
  v: 1;
  tee: TeeType;
  measurement: string;
  measurements: Record<string, string>;
  reportData: string;
  debug: boolean;
  tcb?: { status: TcbStatus; advisoryIds: string[]; [k: string]: unknown };
  /** The time the evidence was checked at (ISO 8601). */
  verifiedAt: string;
  details: Record<string, unknown>;
}

/** Policy options; every verifier accepts them next to its own options. */
export interface AttestationPolicy {
  /** Allowed TEE types. Default: every hardware type; `simulation` only when listed. */
  tees?: readonly TeeType[];
  /** Allowed values of `facts.measurement` (hex, any case). Default: any. */
  measurements?: readonly string[];
  /** Accept debug-mode TEEs. Default false. */
  allowDebug?: boolean;
  /** The binding report_data must hold (hex or bytes); see the header for prefix matching. */
  reportData?: string | Uint8Array;
  /** Allowed TCB statuses when collateral was checked. Default: DEFAULT_TCB_STATUSES. */
  tcbStatuses?: readonly TcbStatus[];
  /** Fail unless collateral was checked and produced a TCB status. Default false. */
  requireTcb?: boolean;
}

function normHex(v: string | Uint8Array, option: string): string {
  if (v instanceof Uint8Array) return toHex(v);
  if (typeof v !== 'string' || !/^(?:[0-9a-fA-F]{2})+$/.test(v)) throw new TypeError(`${option}: expected a non-empty even-length hex string`);
  return v.toLowerCase();
}

/** Checks the options' shapes (caller mistakes → TypeError) and returns them normalised. */
export function checkPolicy(p: AttestationPolicy = {}): AttestationPolicy {
  if (p.tees !== undefined) {
    if (!Array.isArray(p.tees) || p.tees.some((t) => !TEE_TYPES.includes(t))) throw new TypeError(`tees: expected a subset of ${TEE_TYPES.join(', ')}`);
  }
  if (p.measurements !== undefined && !Array.isArray(p.measurements)) throw new TypeError('measurements: expected an array of hex strings');
  p.measurements?.forEach((m) => normHex(m, 'measurements'));
  if (p.reportData !== undefined) normHex(p.reportData, 'reportData');
  if (p.allowDebug !== undefined && typeof p.allowDebug !== 'boolean') throw new TypeError('allowDebug: expected a boolean');
  const known: readonly string[] = [...DEFAULT_TCB_STATUSES, 'OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked'];
  if (p.tcbStatuses !== undefined && (!Array.isArray(p.tcbStatuses) || p.tcbStatuses.some((s) => !known.includes(s)))) {
    throw new TypeError(`tcbStatuses: expected a subset of ${known.join(', ')}`);
  }
  return p;
}

/**
 * Applies `policy` to verified facts and returns them unchanged, or throws.
 * @example
 * import { applyPolicy } from '@veil/attest/policy';
 * applyPolicy(facts, { measurements: [expected], reportData: binding });
 * @throws ERR_TEE_NOT_ALLOWED, ERR_MEASUREMENT_MISMATCH, ERR_DEBUG_NOT_ALLOWED, ERR_REPORT_DATA_MISMATCH,
 *   ERR_QUOTE_TCB_OUT_OF_DATE, ERR_QUOTE_TCB_REVOKED, ERR_QUOTE_TCB_NOT_ALLOWED, ERR_QUOTE_TCB_MISSING
 */
export function applyPolicy(facts: AttestationFacts, policy: AttestationPolicy = {}): AttestationFacts {
  checkPolicy(policy);
  const tees = policy.tees ?? TEE_TYPES.filter((t) => t !== 'simulation');
  if (!tees.includes(facts.tee)) fail('ERR_TEE_NOT_ALLOWED', `TEE type ${facts.tee} is not allowed by the policy`);
  if (facts.debug && policy.allowDebug !== true) fail('ERR_DEBUG_NOT_ALLOWED', `${facts.tee} evidence comes from a debug-mode TEE`);
  if (policy.measurements && !policy.measurements.some((m) => normHex(m, 'measurements') === facts.measurement)) {
    fail('ERR_MEASUREMENT_MISMATCH', `measurement ${facts.measurement} is not in the allowlist`);
  }
  if (policy.reportData !== undefined) {
    const want = normHex(policy.reportData, 'reportData');
    const got = facts.reportData;
    const ok = got.length >= want.length && got.startsWith(want) && /^0*$/.test(got.slice(want.length));
    if (!ok) fail('ERR_REPORT_DATA_MISMATCH', 'report_data does not hold the expected binding');
  }
  if (facts.tcb) {
    const allowed = policy.tcbStatuses ?? DEFAULT_TCB_STATUSES;
    const s = facts.tcb.status;
    if (!allowed.includes(s)) {
      if (s === 'Revoked') fail('ERR_QUOTE_TCB_REVOKED', 'the platform TCB is revoked');
      if (s === 'OutOfDate' || s === 'OutOfDateConfigurationNeeded') fail('ERR_QUOTE_TCB_OUT_OF_DATE', `TCB status ${s}`);
      fail('ERR_QUOTE_TCB_NOT_ALLOWED', `TCB status ${s} is not allowed by the policy`);
    }
  } else if (policy.requireTcb) {
    fail('ERR_QUOTE_TCB_MISSING', 'the policy requires a TCB status, but no collateral was checked');
  }
  return facts;
}

/** Validates `at` (a caller mistake if missing). */
export function aDate(at: unknown, option = 'at'): Date {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError(`${option}: expected a valid Date`);
  return at;
}
