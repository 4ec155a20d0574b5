/**
 * Verifies AMD SEV-SNP attestation reports with a VCEK and applies the attestation policy.
 *
 * Checks: VCEK ← ASK ← ARK (RSASSA-PSS/SHA-384 for ASK and ARK, per AMD KDS) to a pinned ARK
 * (Milan 69d063b4…, Genoa 4c6598d1…, Turin 1f084161…), every certificate valid at `at`; the report's
 * ECDSA P-384/SHA-384 signature over bytes 0x000–0x29F by the VCEK; the VCEK hwID extension
 * (1.3.6.1.4.1.3704.1.4) equals the report's chip_id and its TCB extensions (…3704.1.3.1/2/3/8)
 * equal reported_tcb (Milan/Genoa layout). Facts: measurement = MEASUREMENT, debug = policy bit 19
 * (DEBUG allowed), reportData = REPORT_DATA. Not checked: AMD CRLs (none supplied), VLEK-signed
 * reports, Turin's different TCB layout, guest policy bits other than DEBUG (in details).
 */
import { equalBytes, fail, toHex } from './lib/bytes.ts';
import { asn1Single, octets, smallUint } from './lib/asn1.ts';
import { ecCertKey, ecdsaVerify, parseCertificate, pemToDer, verifyChain, type ParsedCert } from './lib/x509.ts';
import { parseSevReport, type TcbVersion } from './parse-sev.ts';
import { aDate, applyPolicy, checkPolicy, type AttestationFacts, type AttestationPolicy } from './policy.ts';
import { AMD_ARK_GENOA_DER, AMD_ARK_MILAN_DER, AMD_ARK_TURIN_DER } from './roots.ts';

export interface VerifySevOptions extends AttestationPolicy {
  /** Verification time for the certificate chain (required). */
  at: Date;
  /** The VCEK: DER bytes, or PEM text (further PEM certificates after it are used as the chain). */
  vcek: Uint8Array | string;
  /** ASK (and optionally ARK) as PEM, e.g. AMD KDS `cert_chain`. */
  certChain?: string;
  /** Trusted ARKs (DER). Default: ARK-Milan, ARK-Genoa, ARK-Turin. */
  trustedRoots?: Uint8Array[];
}

const OID_AMD = '1.3.6.1.4.1.3704.1.';

function certsFrom(v: Uint8Array | string, what: string): ParsedCert[] {
  if (typeof v === 'string') return pemToDer(v).map((d) => parseCertificate(d));
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what}: expected DER bytes or PEM text`);
  if (v[0] === 0x30) return [parseCertificate(v)];
  return pemToDer(new TextDecoder().decode(v)).map((d) => parseCertificate(d));
}

function amdExtension(cert: ParsedCert, suffix: string): Uint8Array | undefined {
  return cert.extensions.get(OID_AMD + suffix);
}

function checkVcek(vcek: ParsedCert, chipId: Uint8Array, tcb: TcbVersion): void {
  const hw = amdExtension(vcek, '4');
  if (!hw) fail('ERR_CERT_MALFORMED', 'VCEK has no hwID extension');
  // hwID is an OCTET STRING in some VCEKs and raw bytes in others.
  const hwId = hw.length === 64 ? hw : octets(asn1Single(hw, 'ERR_CERT_MALFORMED', 'VCEK hwID'), 'ERR_CERT_MALFORMED', 'VCEK hwID');
  if (!equalBytes(hwId, chipId)) fail('ERR_SEV_VCEK_MISMATCH', 'VCEK hwID does not match the report chip_id');
  const spl = (s: string) => {
    const v = amdExtension(vcek, s);
    if (!v) fail('ERR_CERT_MALFORMED', `VCEK has no TCB extension ${OID_AMD}${s}`);
    return smallUint(asn1Single(v, 'ERR_CERT_MALFORMED', 'VCEK TCB extension'), 'ERR_CERT_MALFORMED', `VCEK TCB extension ${OID_AMD}${s}`);
  };
  if (spl('3.1') !== tcb.bootloader || spl('3.2') !== tcb.tee || spl('3.3') !== tcb.snp || spl('3.8') !== tcb.microcode) {
    fail('ERR_SEV_VCEK_MISMATCH', 'VCEK TCB does not match the report reported_tcb');
  }
}

/**
 * Verifies an SNP attestation report (1184 raw bytes) and returns its facts, or throws.
 * @example
 * import { verifySevReport } from '@veil/attest/verify-sev';
 * const facts = await verifySevReport(report, { at: new Date(), vcek: vcekDer, certChain: askArkPem });
 * @throws ERR_SEV_MALFORMED, ERR_CERT_MALFORMED, ERR_CERT_CHAIN, ERR_ROOT_UNTRUSTED, ERR_CERT_EXPIRED,
 *   ERR_CERT_NOT_YET_VALID, ERR_SEV_VCEK_MISMATCH, ERR_SEV_SIGNATURE, policy errors
 */
export async function verifySevReport(input: Uint8Array, opts: VerifySevOptions): Promise<AttestationFacts> {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('verifySevReport: options are required ({ at, vcek })');
  const at = aDate(opts.at);
  checkPolicy(opts);
  if (opts.vcek === undefined) throw new TypeError('vcek: the VCEK certificate is required');
  const roots = (opts.trustedRoots ?? [AMD_ARK_MILAN_DER, AMD_ARK_GENOA_DER, AMD_ARK_TURIN_DER]).map((d) => parseCertificate(d));
  const rep = parseSevReport(input);
  const certs = [...certsFrom(opts.vcek, 'vcek'), ...(opts.certChain !== undefined ? certsFrom(opts.certChain, 'certChain') : [])];
  const path = await verifyChain(certs, { roots, at, what: 'VCEK' });
  const vcek = path[0]!;
  const key = await ecCertKey(vcek, 'P-384', 'ERR_SEV_SIGNATURE');
  if (!(await ecdsaVerify(key, 'SHA-384', rep.signedData, rep.signature))) {
    fail('ERR_SEV_SIGNATURE', 'report signature does not verify with the VCEK');
  }
  checkVcek(vcek, rep.chipId, rep.reportedTcb);
  const facts: AttestationFacts = {
    v: 1,
    tee: 'sev-snp',
    measurement: toHex(rep.measurement),
    measurements: { measurement: toHex(rep.measurement), host_data: toHex(rep.hostData), id_key_digest: toHex(rep.idKeyDigest) },
    reportData: toHex(rep.reportData),
    debug: ((rep.policy >> 19n) & 1n) === 1n,
    verifiedAt: at.toISOString(),
    details: {
      version: rep.version,
      guestSvn: rep.guestSvn,
      policy: `0x${rep.policy.toString(16)}`,
      smtAllowed: ((rep.policy >> 16n) & 1n) === 1n,
      vmpl: rep.vmpl,
      signatureAlgo: rep.signatureAlgo,
      platformInfo: `0x${rep.platformInfo.toString(16)}`,
      familyId: toHex(rep.familyId),
      imageId: toHex(rep.imageId),
      authorKeyDigest: toHex(rep.authorKeyDigest),
      reportId: toHex(rep.reportId),
      chipId: toHex(rep.chipId),
      currentTcb: rep.currentTcb,
      reportedTcb: rep.reportedTcb,
      committedTcb: rep.committedTcb,
      launchTcb: rep.launchTcb,
      chainSha256: path.map((c) => c.sha256),
      chainValidity: {
        notBefore: new Date(Math.max(...path.map((c) => c.notBefore.getTime()))).toISOString(),
        notAfter: new Date(Math.min(...path.map((c) => c.notAfter.getTime()))).toISOString(),
      },
    },
  };
  return applyPolicy(facts, opts);
}

