/**
 * Parser for AMD SEV-SNP attestation reports (ATTESTATION_REPORT, versions 2–5, 1184 bytes).
 *
 * Spec: AMD SEV-SNP Firmware ABI Specification (rev 1.55+), Table "ATTESTATION_REPORT Structure".
 * Little-endian integers; TCB_VERSION is kept as its 8 raw bytes (hex) plus the Milan/Genoa field
 * split (bootloader byte 0, tee byte 1, snp byte 6, microcode byte 7). The ECDSA P-384 signature is
 * stored as r and s, 72 bytes each, little-endian, at 0x2A0; the signed region is bytes 0x000–0x29F.
 * Only parses; verify-sev.ts checks the VCEK chain and signature.
 */
import { ByteReader, fail, isAllZero, toHex } from './lib/bytes.ts';

const CODE = 'ERR_SEV_MALFORMED';
export const SEV_REPORT_BYTES = 1184;
const SIGNED_BYTES = 0x2a0;

export interface TcbVersion {
  raw: string;
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
}

export interface ParsedSevReport {
  version: number;
  guestSvn: number;
  policy: bigint;
  familyId: Uint8Array;
  imageId: Uint8Array;
  vmpl: number;
  signatureAlgo: number;
  currentTcb: TcbVersion;
  platformInfo: bigint;
  reportData: Uint8Array;
  measurement: Uint8Array;
  hostData: Uint8Array;
  idKeyDigest: Uint8Array;
  authorKeyDigest: Uint8Array;
  reportId: Uint8Array;
  reportedTcb: TcbVersion;
  chipId: Uint8Array;
  committedTcb: TcbVersion;
  launchTcb: TcbVersion;
  /** Exact bytes the signature covers. */
  signedData: Uint8Array;
  /** r‖s, 48 bytes each, big-endian. */
  signature: Uint8Array;
}

function tcbVersion(b: Uint8Array): TcbVersion {
  return { raw: toHex(b), bootloader: b[0]!, tee: b[1]!, snp: b[6]!, microcode: b[7]! };
}

/** 72-byte little-endian scalar → 48-byte big-endian (upper bytes must be zero). */
function leScalar(b: Uint8Array, what: string): Uint8Array {
  if (!isAllZero(b.subarray(48))) fail(CODE, `${what} does not fit P-384`);
  return b.slice(0, 48).reverse();
}

/**
 * Parses an SNP attestation report.
 * @example
 * import { parseSevReport } from '@veil/attest/parse-sev';
 * const r = parseSevReport(bytes); r.measurement
 * @throws ERR_SEV_MALFORMED (wrong size or version, unknown signature algorithm)
 */
export function parseSevReport(input: Uint8Array): ParsedSevReport {
  if (!(input instanceof Uint8Array)) throw new TypeError('parseSevReport: input must be a Uint8Array');
  if (input.length !== SEV_REPORT_BYTES) fail(CODE, `SNP report must be ${SEV_REPORT_BYTES} bytes, got ${input.length}`);
  const r = new ByteReader(input, CODE, 'SNP report');
  const version = r.u32('version');
  if (version < 2 || version > 5) fail(CODE, `unsupported SNP report version ${version}`);
  const guestSvn = r.u32('guest_svn');
  const policy = r.u64('policy');
  const familyId = r.take(16, 'family_id');
  const imageId = r.take(16, 'image_id');
  const vmpl = r.u32('vmpl');
  const signatureAlgo = r.u32('signature_algo');
  if (signatureAlgo !== 1) fail(CODE, `unsupported signature algorithm ${signatureAlgo} (1 = ECDSA P-384/SHA-384)`);
  const currentTcb = tcbVersion(r.take(8, 'current_tcb'));
  const platformInfo = r.u64('platform_info');
  r.take(8, 'flags/reserved');
  const reportData = r.take(64, 'report_data');
  const measurement = r.take(48, 'measurement');
  const hostData = r.take(32, 'host_data');
  const idKeyDigest = r.take(48, 'id_key_digest');
  const authorKeyDigest = r.take(48, 'author_key_digest');
  const reportId = r.take(32, 'report_id');
  r.take(32, 'report_id_ma');
  const reportedTcb = tcbVersion(r.take(8, 'reported_tcb'));
  r.take(24, 'cpuid/reserved');
  const chipId = r.take(64, 'chip_id');
  const committedTcb = tcbVersion(r.take(8, 'committed_tcb'));
  r.take(8, 'build/version');
  const launchTcb = tcbVersion(r.take(8, 'launch_tcb'));
  r.offset = SIGNED_BYTES;
  const sigR = leScalar(r.take(72, 'signature r'), 'signature r');
  const sigS = leScalar(r.take(72, 'signature s'), 'signature s');
  const signature = new Uint8Array(96);
  signature.set(sigR, 0);
  signature.set(sigS, 48);
  return {
    version,
    guestSvn,
    policy,
    familyId,
    imageId,
    vmpl,
    signatureAlgo,
    currentTcb,
    platformInfo,
    reportData,
    measurement,
    hostData,
    idKeyDigest,
    authorKeyDigest,
    reportId,
    reportedTcb,
    chipId,
    committedTcb,
    launchTcb,
    signedData: input.subarray(0, SIGNED_BYTES),
    signature,
  };
}
