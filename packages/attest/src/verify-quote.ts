/**
 * Verifies Intel SGX (v3/v4) and TDX (v4/v5) DCAP quotes, optionally inside an Open Enclave remote
 * report, and applies the attestation policy.
 *
 * Spec: Intel SGX ECDSA Quote Library Reference / DCAP QVL. Checks, in order:
 * 1. PCK chain (certification data type 5, or `pckChain` for quotes without one) to a pinned root —
 *    by default the real Intel SGX Root CA (SHA-256 44a0196b…74d3) — valid at `at`;
 * 2. QE report signature (ECDSA-P256/SHA-256, r‖s) by the PCK leaf key;
 * 3. attestation-key binding: QE report_data = SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes;
 * 4. ISV/TD report signature by the attestation key over header ‖ body (v5: ‖ body type/size);
 * 5. with collateral: CRLs, TCB info / QE identity signatures and windows, TCB status (intel-collateral.ts);
 * 6. the policy (policy.ts): debug forbidden unless allowed, measurement and report_data allowlists.
 * Trusted: the pinned roots only. Not checked without collateral: revocation and TCB status (facts
 * then carry no `tcb`; set `requireTcb` to insist). Not checked at all: QvE identity.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, equalBytes, fail, isAllZero, toHex } from './lib/bytes.ts';
import { pckInfo } from './lib/pck.ts';
import { ecCertKey, ecPointKey, ecdsaVerify, parseCertificate, pemToDer, verifyChain, type ParsedCert } from './lib/x509.ts';
import { evaluateCollateral, type QuoteCollateral } from './intel-collateral.ts';
import { parseQuote, type ParsedQuote } from './parse-quote.ts';
import { aDate, applyPolicy, checkPolicy, type AttestationFacts, type AttestationPolicy } from './policy.ts';
import { INTEL_SGX_ROOT_CA_DER } from './roots.ts';

export interface VerifyQuoteOptions extends AttestationPolicy {
  /** Verification time for certificate and collateral validity (required: the clock is injected). */
  at: Date;
  /** Intel collateral (dcap-qvl JSON shape); enables CRL and TCB status checks. */
  collateral?: QuoteCollateral;
  /** Trusted root certificates (DER). Default: the real Intel SGX Root CA only. */
  trustedRoots?: Uint8Array[];
  /** PCK chain (PEM, leaf first) for quotes whose certification data carries none (type ≠ 5). */
  pckChain?: string;
  /** Accept only this TEE type of quote. */
  expectTee?: 'sgx' | 'tdx';
}

const QCODE = 'ERR_QUOTE_MALFORMED';

function pckCerts(q: ParsedQuote, pckChain: string | undefined): ParsedCert[] {
  let pem: string;
  if (q.certDataType === 5) {
    // PEM text, possibly NUL-terminated.
    let end = q.certData.length;
    while (end > 0 && q.certData[end - 1] === 0) end--;
    const bytes = q.certData.subarray(0, end);
    if (bytes.some((b) => b > 0x7e || (b < 0x20 && b !== 0x0a && b !== 0x0d))) fail(QCODE, 'PCK chain is not PEM text');
    pem = new TextDecoder().decode(bytes);
  } else if (pckChain !== undefined) {
    pem = pckChain;
  } else {
    fail('ERR_CERT_CHAIN', `quote certification data type ${q.certDataType} carries no PCK chain; pass pckChain`);
  }
  return pemToDer(pem, q.certDataType === 5 ? QCODE : 'ERR_CERT_MALFORMED').map((d) => parseCertificate(d, 'ERR_CERT_MALFORMED'));
}

function quoteFacts(q: ParsedQuote, path: ParsedCert[], at: Date, pck: ReturnType<typeof pckInfo>): AttestationFacts {
  const qe = q.qeReport;
  const common = {
    quoteVersion: q.version,
    qeSvn: q.qeSvn,
    pceSvn: q.pceSvn,
    qeVendorId: toHex(q.qeVendorId),
    qe: { mrenclave: toHex(qe.mrEnclave), mrsigner: toHex(qe.mrSigner), isvProdId: qe.isvProdId, isvSvn: qe.isvSvn },
    certDataType: q.certDataType,
    fmspc: pck.fmspc,
    pceId: pck.pceId,
    pckPceSvn: pck.pceSvn,
    pckCpuSvn: pck.cpuSvn,
    pckChainSha256: path.map((c) => c.sha256),
    pckChainValidity: {
      notBefore: new Date(Math.max(...path.map((c) => c.notBefore.getTime()))).toISOString(),
      notAfter: new Date(Math.min(...path.map((c) => c.notAfter.getTime()))).toISOString(),
    },
    ...(q.oeHeader ? { oeHeader: q.oeHeader } : {}),
  };
  if (q.enclave) {
    const e = q.enclave;
    return {
      v: 1,
      tee: 'sgx',
      measurement: toHex(e.mrEnclave),
      measurements: { mrenclave: toHex(e.mrEnclave), mrsigner: toHex(e.mrSigner) },
      reportData: toHex(e.reportData),
      // SGX ATTRIBUTES.FLAGS bit 1 = DEBUG.
      debug: (e.attributes[0]! & 0x02) !== 0,
      verifiedAt: at.toISOString(),
      details: {
        ...common,
        isvProdId: e.isvProdId,
        isvSvn: e.isvSvn,
        cpuSvn: toHex(e.cpuSvn),
        miscSelect: e.miscSelect,
        attributes: toHex(e.attributes),
      },
    };
  }
  const t = q.td!;
  return {
    v: 1,
    tee: 'tdx',
    measurement: toHex(t.mrTd),
    measurements: {
      mrtd: toHex(t.mrTd),
      rtmr0: toHex(t.rtmrs[0]),
      rtmr1: toHex(t.rtmrs[1]),
      rtmr2: toHex(t.rtmrs[2]),
      rtmr3: toHex(t.rtmrs[3]),
      mrseam: toHex(t.mrSeam),
      mrsignerseam: toHex(t.mrSignerSeam),
      mrconfigid: toHex(t.mrConfigId),
      mrowner: toHex(t.mrOwner),
      mrownerconfig: toHex(t.mrOwnerConfig),
      ...(t.mrServiceTd ? { mrservicetd: toHex(t.mrServiceTd) } : {}),
    },
    reportData: toHex(t.reportData),
    // TD_ATTRIBUTES bit 0 = DEBUG.
    debug: (t.tdAttributes[0]! & 0x01) !== 0,
    verifiedAt: at.toISOString(),
    details: {
      ...common,
      ...(q.bodyType !== undefined ? { bodyType: q.bodyType } : {}),
      teeTcbSvn: toHex(t.teeTcbSvn),
      ...(t.teeTcbSvn2 ? { teeTcbSvn2: toHex(t.teeTcbSvn2) } : {}),
      tdAttributes: toHex(t.tdAttributes),
      seamAttributes: toHex(t.seamAttributes),
      xfam: toHex(t.xfam),
    },
  };
}

/**
 * Verifies a DCAP quote and returns its facts, or throws.
 * @example
 * import { verifyQuote } from '@veil/attest/verify-quote';
 * const facts = await verifyQuote(bytes, { at: new Date(), measurements: [mrenclaveHex], reportData: binding });
 * @throws ERR_QUOTE_MALFORMED, ERR_CERT_MALFORMED, ERR_CERT_CHAIN, ERR_ROOT_UNTRUSTED, ERR_CERT_EXPIRED,
 *   ERR_CERT_NOT_YET_VALID, ERR_QUOTE_SIGNATURE, ERR_TEE_NOT_ALLOWED; with collateral also ERR_CERT_REVOKED,
 *   ERR_COLLATERAL_* , ERR_QE_IDENTITY_MISMATCH, ERR_QUOTE_TCB_*; policy: ERR_DEBUG_NOT_ALLOWED,
 *   ERR_MEASUREMENT_MISMATCH, ERR_REPORT_DATA_MISMATCH
 */
export async function verifyQuote(input: Uint8Array, opts: VerifyQuoteOptions): Promise<AttestationFacts> {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('verifyQuote: options are required ({ at })');
  const at = aDate(opts.at);
  checkPolicy(opts);
  const roots = (opts.trustedRoots ?? [INTEL_SGX_ROOT_CA_DER]).map((d) => parseCertificate(d));
  const q = parseQuote(input);
  if (opts.expectTee && q.tee !== opts.expectTee) fail('ERR_TEE_NOT_ALLOWED', `expected a ${opts.expectTee} quote, got ${q.tee}`);

  const path = await verifyChain(pckCerts(q, opts.pckChain), { roots, at, what: 'PCK' });
  const leaf = path[0]!;
  const pckKey = await ecCertKey(leaf, 'P-256', 'ERR_CERT_MALFORMED');
  if (!(await ecdsaVerify(pckKey, 'SHA-256', q.qeReport.raw, q.qeReportSignature))) {
    fail('ERR_QUOTE_SIGNATURE', 'QE report signature does not verify with the PCK key');
  }
  const binding = q.qeReport.reportData;
  if (!equalBytes(binding.subarray(0, 32), sha256(concat(q.attestationKey, q.qeAuthData))) || !isAllZero(binding.subarray(32))) {
    fail('ERR_QUOTE_SIGNATURE', 'QE report does not bind the attestation key');
  }
  const attKey = await ecPointKey('P-256', concat(new Uint8Array([4]), q.attestationKey));
  if (!attKey || !(await ecdsaVerify(attKey, 'SHA-256', q.signedData, q.signature))) {
    fail('ERR_QUOTE_SIGNATURE', 'quote signature does not verify with the attestation key');
  }
  const pck = pckInfo(leaf);
  const facts = quoteFacts(q, path, at, pck);
  if (opts.collateral !== undefined) {
    const tcb = await evaluateCollateral(q, pck, path, opts.collateral, roots, at);
    facts.tcb = tcb;
  }
  return applyPolicy(facts, opts);
}
