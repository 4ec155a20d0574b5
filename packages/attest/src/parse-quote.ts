/**
 * Parser for Intel DCAP ECDSA quotes: SGX quote v3 and v4, TDX quote v4 and v5, optionally wrapped
 * in an Open Enclave / EGo remote report (16-byte `oe_report_header_t`: u32 version = 1,
 * u32 report_type = 2 (SGX remote), u64 report_size = rest of the input).
 *
 * Spec: Intel SGX ECDSA Quote Library Reference (DCAP) — quote v3 / v4 / v5 layouts, QE
 * certification data type 6 (QE report certification data) wrapping type 5 (PCK chain, PEM).
 * This file only PARSES: it checks structure and every length field against the input, and
 * returns sub-arrays of the input (no copies), including the exact bytes the signatures cover.
 * It trusts nothing and verifies nothing (see verify-quote.ts). Trailing ZERO bytes after the signature
 * data are tolerated (real TDX quotes carry zero padding); anything else there is rejected.
 * Multi-byte integers are little-endian as in the spec; hex in the returned facts is lowercase.
 */
import { ByteReader, fail, isAllZero } from './lib/bytes.ts';

const CODE = 'ERR_QUOTE_MALFORMED';
/** Upper bound for a quote (real ones are ~5 KiB; the PEM chain dominates). */
export const MAX_QUOTE_BYTES = 64 * 1024;

export type QuoteTee = 'sgx' | 'tdx';

/** SGX enclave report (REPORT body, 384 bytes). */
export interface EnclaveReport {
  raw: Uint8Array;
  cpuSvn: Uint8Array;
  miscSelect: number;
  attributes: Uint8Array;
  mrEnclave: Uint8Array;
  mrSigner: Uint8Array;
  isvProdId: number;
  isvSvn: number;
  reportData: Uint8Array;
}

/** TDX TD report (TD10 584 bytes; TD15 adds teeTcbSvn2 and mrServiceTd). */
export interface TdReport {
  raw: Uint8Array;
  teeTcbSvn: Uint8Array;
  mrSeam: Uint8Array;
  mrSignerSeam: Uint8Array;
  seamAttributes: Uint8Array;
  tdAttributes: Uint8Array;
  xfam: Uint8Array;
  mrTd: Uint8Array;
  mrConfigId: Uint8Array;
  mrOwner: Uint8Array;
  mrOwnerConfig: Uint8Array;
  rtmrs: [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  reportData: Uint8Array;
  teeTcbSvn2?: Uint8Array;
  mrServiceTd?: Uint8Array;
}

export interface ParsedQuote {
  version: 3 | 4 | 5;
  tee: QuoteTee;
  attestationKeyType: number;
  qeSvn: number;
  pceSvn: number;
  qeVendorId: Uint8Array;
  userData: Uint8Array;
  /** v5 only: 1 = SGX, 2 = TD 1.0, 3 = TD 1.5. */
  bodyType?: number;
  enclave?: EnclaveReport;
  td?: TdReport;
  /** Exact bytes covered by the attestation key's signature. */
  signedData: Uint8Array;
  /** ECDSA-P256 r‖s over `signedData`. */
  signature: Uint8Array;
  /** Uncompressed P-256 point without the 0x04 prefix (x‖y). */
  attestationKey: Uint8Array;
  qeReport: EnclaveReport;
  qeReportSignature: Uint8Array;
  qeAuthData: Uint8Array;
  /** Innermost certification data (type 5 = PEM PCK chain; other types carry no chain). */
  certDataType: number;
  certData: Uint8Array;
  /** Present when the input was an Open Enclave remote report. */
  oeHeader?: { version: number; reportType: number; reportSize: number };
}

const TEE_SGX = 0x00000000;
const TEE_TDX = 0x00000081;

function enclaveReport(r: ByteReader, field: string): EnclaveReport {
  const raw = r.take(384, field);
  const s = new ByteReader(raw, CODE, field);
  const cpuSvn = s.take(16, 'cpusvn');
  const miscSelect = s.u32('miscselect');
  s.take(28, 'reserved');
  const attributes = s.take(16, 'attributes');
  const mrEnclave = s.take(32, 'mrenclave');
  s.take(32, 'reserved');
  const mrSigner = s.take(32, 'mrsigner');
  s.take(96, 'reserved/configid');
  const isvProdId = s.u16('isvprodid');
  const isvSvn = s.u16('isvsvn');
  s.take(60, 'configsvn/reserved/isvfamilyid');
  const reportData = s.take(64, 'report_data');
  return { raw, cpuSvn, miscSelect, attributes, mrEnclave, mrSigner, isvProdId, isvSvn, reportData };
}

function tdReport(r: ByteReader, v15: boolean): TdReport {
  const raw = r.take(v15 ? 648 : 584, 'td report');
  const s = new ByteReader(raw, CODE, 'td report');
  const td: TdReport = {
    raw,
    teeTcbSvn: s.take(16, 'tee_tcb_svn'),
    mrSeam: s.take(48, 'mrseam'),
    mrSignerSeam: s.take(48, 'mrsignerseam'),
    seamAttributes: s.take(8, 'seam_attributes'),
    tdAttributes: s.take(8, 'td_attributes'),
    xfam: s.take(8, 'xfam'),
    mrTd: s.take(48, 'mrtd'),
    mrConfigId: s.take(48, 'mrconfigid'),
    mrOwner: s.take(48, 'mrowner'),
    mrOwnerConfig: s.take(48, 'mrownerconfig'),
    rtmrs: [s.take(48, 'rtmr0'), s.take(48, 'rtmr1'), s.take(48, 'rtmr2'), s.take(48, 'rtmr3')],
    reportData: s.take(64, 'report_data'),
  };
  if (v15) {
    td.teeTcbSvn2 = s.take(16, 'tee_tcb_svn2');
    td.mrServiceTd = s.take(48, 'mrservicetd');
  }
  return td;
}

/** Strips an Open Enclave remote-report header when present (version 1, type 2, exact size). */
function unwrapOe(input: Uint8Array): { quote: Uint8Array; oeHeader?: ParsedQuote['oeHeader'] } {
  if (input.length < 16) return { quote: input };
  const r = new ByteReader(input, CODE, 'OE report header');
  const version = r.u32('oe version');
  const reportType = r.u32('oe report_type');
  const size = r.u64('oe report_size');
  // A DCAP quote starts with u16 version 3..5 and u16 key type 2, so it never reads as (1, 2).
  if (version !== 1 || reportType !== 2) return { quote: input };
  if (size !== BigInt(input.length - 16)) {
    fail(CODE, `OE remote report: report_size ${size} does not match the ${input.length - 16} bytes that follow`);
  }
  return { quote: input.subarray(16), oeHeader: { version, reportType, reportSize: Number(size) } };
}

/**
 * Parses a DCAP quote (or an OE remote report around one).
 * @example
 * import { parseQuote } from '@veil/attest/parse-quote';
 * const q = parseQuote(bytes); q.enclave?.mrEnclave
 * @throws ERR_QUOTE_MALFORMED (truncated, unsupported version/key type/TEE, bad length fields)
 */
export function parseQuote(input: Uint8Array): ParsedQuote {
  if (!(input instanceof Uint8Array)) throw new TypeError('parseQuote: input must be a Uint8Array');
  if (input.length > MAX_QUOTE_BYTES) fail(CODE, `quote larger than ${MAX_QUOTE_BYTES} bytes`);
  const { quote, oeHeader } = unwrapOe(input);
  const r = new ByteReader(quote, CODE, 'quote');
  const version = r.u16('version');
  if (version !== 3 && version !== 4 && version !== 5) fail(CODE, `unsupported quote version ${version}`);
  const attestationKeyType = r.u16('att_key_type');
  if (attestationKeyType !== 2) fail(CODE, `unsupported attestation key type ${attestationKeyType} (only 2 = ECDSA-P256)`);
  const teeType = r.u32('tee_type');
  const qeSvn = r.u16('qe_svn');
  const pceSvn = r.u16('pce_svn');
  const qeVendorId = r.take(16, 'qe_vendor_id');
  const userData = r.take(20, 'user_data');
  let tee: QuoteTee;
  if (version === 3) {
    if (teeType !== TEE_SGX) fail(CODE, 'quote v3: reserved field must be zero (SGX only)');
    tee = 'sgx';
  } else if (teeType === TEE_SGX) tee = 'sgx';
  else if (teeType === TEE_TDX) tee = 'tdx';
  else fail(CODE, `unsupported TEE type 0x${teeType.toString(16)}`);

  let bodyType: number | undefined;
  let enclave: EnclaveReport | undefined;
  let td: TdReport | undefined;
  if (version === 5) {
    bodyType = r.u16('body_type');
    const bodySize = r.u32('body_size');
    const expected = { 1: 384, 2: 584, 3: 648 }[bodyType];
    if (!expected) fail(CODE, `quote v5: unsupported body type ${bodyType}`);
    if (bodySize !== expected) fail(CODE, `quote v5: body size ${bodySize} does not match body type ${bodyType}`);
    if ((bodyType === 1) !== (tee === 'sgx')) fail(CODE, 'quote v5: body type does not match TEE type');
    if (bodyType === 1) enclave = enclaveReport(r, 'isv enclave report');
    else td = tdReport(r, bodyType === 3);
  } else if (tee === 'sgx') enclave = enclaveReport(r, 'isv enclave report');
  else td = tdReport(r, false);
  const signedData = quote.subarray(0, r.offset);

  const sigLen = r.u32('signature_data_len');
  const sig = new ByteReader(r.take(sigLen, 'signature_data'), CODE, 'signature data');
  const signature = sig.take(64, 'quote signature');
  const attestationKey = sig.take(64, 'attestation key');

  let qeReport: EnclaveReport;
  let qeReportSignature: Uint8Array;
  let qeAuthData: Uint8Array;
  let certDataType: number;
  let certData: Uint8Array;
  const readAuthAndCert = (s: ByteReader) => {
    qeReport = enclaveReport(s, 'qe report');
    qeReportSignature = s.take(64, 'qe report signature');
    qeAuthData = s.take(s.u16('qe_auth_data_len'), 'qe_auth_data');
    certDataType = s.u16('cert_data_type');
    certData = s.take(s.u32('cert_data_size'), 'cert_data');
  };
  if (version === 3) {
    readAuthAndCert(sig);
  } else {
    const outerType = sig.u16('cert_data_type');
    const outer = sig.take(sig.u32('cert_data_size'), 'cert_data');
    if (outerType !== 6) fail(CODE, `quote v${version}: certification data type ${outerType}, expected 6 (QE report)`);
    const inner = new ByteReader(outer, CODE, 'QE report certification data');
    readAuthAndCert(inner);
    if (inner.remaining !== 0) fail(CODE, 'QE report certification data: trailing bytes');
  }
  if (sig.remaining !== 0) fail(CODE, 'signature data: trailing bytes inside the declared length');
  if (!isAllZero(quote.subarray(r.offset))) fail(CODE, 'non-zero bytes after the signature data');
  return {
    version,
    tee,
    attestationKeyType,
    qeSvn,
    pceSvn,
    qeVendorId,
    userData,
    bodyType,
    enclave,
    td,
    signedData,
    signature,
    attestationKey,
    qeReport: qeReport!,
    qeReportSignature: qeReportSignature!,
    qeAuthData: qeAuthData!,
    certDataType: certDataType!,
    certData: certData!,
    oeHeader,
  };
}
