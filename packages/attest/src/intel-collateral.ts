/**
 * Intel DCAP collateral: TCB info, QE identity, CRLs, and TCB status evaluation.
 *
 * Spec: Intel PCS API v3/v4 (TCB info v2/v3, enclave identity v2) and the DCAP Quote Verification
 * Library's TCB evaluation (tcbLevels matched top-down: every SGX component SVN and the PCESVN ≥
 * the level's; for TDX also TEE_TCB_SVN against tdxtcbcomponents, and the TDX module identity).
 * Input format: the JSON of Phala's dcap-qvl (`*_collateral.json` in the vectors): snake_case keys,
 * PEM issuer chains, hex DER CRLs, `tcb_info` / `qe_identity` as the EXACT signed JSON strings and
 * hex r‖s signatures. Signatures are checked over those strings' UTF-8 bytes, never re-serialised.
 * `collateralFromPcs` builds the same shape from Intel PCS files (`{"tcbInfo":…,"signature":…}`),
 * slicing the signed value out of the file text byte for byte.
 * Trusted: the pinned root the chains must end at. Not checked: QvE identity, tcbEvaluationDataNumber
 * freshness beyond each document's own issueDate/nextUpdate window.
 */
import { fail, fromHex, toHex, utf8Bytes } from './lib/bytes.ts';
import { checkCrl, ecCertKey, ecdsaVerify, parseCertificate, parseCrl, pemToDer, verifyChain, type ParsedCert } from './lib/x509.ts';
import type { PckInfo } from './lib/pck.ts';
import { advisories, aInt, aStatus, converge, levels, matchPlatformTcbLevel } from './lib/tcb.ts';
import type { ParsedQuote } from './parse-quote.ts';
import type { TcbStatus } from './policy.ts';

/** Collateral in dcap-qvl's JSON shape. */
export interface QuoteCollateral {
  pck_crl_issuer_chain: string;
  root_ca_crl: string;
  pck_crl: string;
  tcb_info_issuer_chain: string;
  tcb_info: string;
  tcb_info_signature: string;
  qe_identity_issuer_chain: string;
  qe_identity: string;
  qe_identity_signature: string;
}

const MCODE = 'ERR_COLLATERAL_MALFORMED';
const KEYS: (keyof QuoteCollateral)[] = [
  'pck_crl_issuer_chain',
  'root_ca_crl',
  'pck_crl',
  'tcb_info_issuer_chain',
  'tcb_info',
  'tcb_info_signature',
  'qe_identity_issuer_chain',
  'qe_identity',
  'qe_identity_signature',
];

/**
 * Checks the shape of untrusted collateral (parsed JSON object or its text).
 * @throws ERR_COLLATERAL_MALFORMED
 */
export function parseCollateral(input: unknown): QuoteCollateral {
  let obj = input;
  if (typeof input === 'string') {
    try {
      obj = JSON.parse(input);
    } catch (e) {
      fail(MCODE, 'collateral is not JSON', e);
    }
  }
  if (typeof obj !== 'object' || obj === null) fail(MCODE, 'collateral must be a JSON object');
  const o = obj as Record<string, unknown>;
  for (const k of KEYS) if (typeof o[k] !== 'string') fail(MCODE, `collateral.${k} must be a string`);
  return Object.fromEntries(KEYS.map((k) => [k, o[k]])) as unknown as QuoteCollateral;
}

/** Slices the signed value out of an Intel PCS document `{"<key>":<value>,"signature":"<hex>"}`. */
export function splitSignedJson(text: string, key: string): { body: string; signature: string } {
  const t = text.trim();
  const head = `{"${key}":`;
  const m = /,"signature":"([0-9a-fA-F]+)"}$/.exec(t);
  if (!t.startsWith(head) || !m) fail(MCODE, `not an Intel PCS ${key} document`);
  return { body: t.slice(head.length, m.index), signature: m[1]! };
}

/** Builds collateral from Intel PCS / QVL files (e.g. the Intel synthetic test set). */
export function collateralFromPcs(files: {
  tcbInfo: string;
  qeIdentity: string;
  tcbSignChain: string;
  rootCaCrl: Uint8Array;
  pckCrl: Uint8Array;
  pckCrlIssuerChain: string;
}): QuoteCollateral {
  const tcb = splitSignedJson(files.tcbInfo, 'tcbInfo');
  const qe = splitSignedJson(files.qeIdentity, 'enclaveIdentity');
  return {
    pck_crl_issuer_chain: files.pckCrlIssuerChain,
    root_ca_crl: toHex(files.rootCaCrl),
    pck_crl: toHex(files.pckCrl),
    tcb_info_issuer_chain: files.tcbSignChain,
    tcb_info: tcb.body,
    tcb_info_signature: tcb.signature,
    qe_identity_issuer_chain: files.tcbSignChain,
    qe_identity: qe.body,
    qe_identity_signature: qe.signature,
  };
}

export type TcbResult = {
  status: TcbStatus;
  advisoryIds: string[];
  tcbDate: string;
  platformStatus: TcbStatus;
  qeStatus: TcbStatus;
  tdxModuleStatus?: TcbStatus;
  fmspc: string;
  tcbInfoIssueDate: string;
  tcbInfoNextUpdate: string;
  qeIdentityIssueDate: string;
  qeIdentityNextUpdate: string;
  tcbEvaluationDataNumber: number;
};

function aDateStr(v: unknown, what: string): Date {
  const ok = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/.test(v);
  const d = ok ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) fail(MCODE, `${what}: expected an ISO 8601 UTC time`);
  return d;
}

function json(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    fail(MCODE, `${what} is not JSON`, e);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(MCODE, `${what} must be an object`);
  return v as Record<string, unknown>;
}

async function verifySignedJson(body: string, sigHex: string, chainPem: string, roots: ParsedCert[], at: Date, what: string) {
  const chain = await verifyChain(pemToDer(chainPem, MCODE).map((d) => parseCertificate(d, MCODE)), { roots, at, what: `${what} signing chain` });
  const sig = fromHex(sigHex, MCODE, `${what} signature`);
  if (sig.length !== 64) fail(MCODE, `${what} signature must be 64 bytes (r‖s)`);
  const key = await ecCertKey(chain[0]!, 'P-256', 'ERR_COLLATERAL_SIGNATURE');
  if (!(await ecdsaVerify(key, 'SHA-256', utf8Bytes(body), sig))) {
    fail('ERR_COLLATERAL_SIGNATURE', `${what}: signature does not verify over the signed JSON`);
  }
  return chain;
}

function checkWindow(doc: Record<string, unknown>, at: Date, what: string) {
  const issue = aDateStr(doc.issueDate, `${what}.issueDate`);
  const next = aDateStr(doc.nextUpdate, `${what}.nextUpdate`);
  if (at < issue) fail('ERR_COLLATERAL_NOT_YET_VALID', `${what} issued ${issue.toISOString()}, after ${at.toISOString()}`);
  if (at > next) fail('ERR_COLLATERAL_EXPIRED', `${what} expired at ${next.toISOString()} (checked at ${at.toISOString()})`);
  return { issue, next };
}

function maskedEqual(value: Uint8Array, maskHex: unknown, expectHex: unknown, what: string): boolean {
  const mask = fromHex(String(maskHex), MCODE, `${what} mask`);
  const expect = fromHex(String(expectHex), MCODE, what);
  if (mask.length !== value.length || expect.length !== value.length) fail(MCODE, `${what}: wrong length`);
  return value.every((b, i) => (b & mask[i]!) === (expect[i]! & mask[i]!));
}

/**
 * Verifies collateral for a quote whose PCK chain `pckPath` (leaf→root) is already verified, and
 * evaluates the TCB status.
 * @throws ERR_COLLATERAL_MALFORMED, ERR_COLLATERAL_SIGNATURE, ERR_COLLATERAL_EXPIRED,
 *   ERR_COLLATERAL_NOT_YET_VALID, ERR_COLLATERAL_MISMATCH, ERR_CERT_REVOKED, ERR_QE_IDENTITY_MISMATCH,
 *   ERR_QUOTE_TCB_UNKNOWN, plus chain errors for the signing chains
 */
export async function evaluateCollateral(
  quote: ParsedQuote,
  pck: PckInfo,
  pckPath: ParsedCert[],
  collateral: QuoteCollateral,
  roots: ParsedCert[],
  at: Date,
): Promise<TcbResult> {
  const c = parseCollateral(collateral);
  // CRLs: the root CA CRL covers the PCK CA and the TCB signing certificates; the PCK CA's CRL
  // covers the PCK leaf. The PCK CRL is checked against the CA actually on the quote's chain, so
  // `pck_crl_issuer_chain` is not needed (only its shape is checked).
  const root = pckPath[pckPath.length - 1]!;
  const pckCa = pckPath[1];
  if (!pckCa || pckPath.length !== 3) fail('ERR_CERT_CHAIN', 'PCK chain must be leaf ← PCK CA ← root');
  const tcbChain = await verifySignedJson(c.tcb_info, c.tcb_info_signature, c.tcb_info_issuer_chain, roots, at, 'TCB info');
  const qeChain = await verifySignedJson(c.qe_identity, c.qe_identity_signature, c.qe_identity_issuer_chain, roots, at, 'QE identity');
  const rootCrl = parseCrl(fromHex(c.root_ca_crl, MCODE, 'root_ca_crl'));
  await checkCrl(rootCrl, root, [pckCa, tcbChain[0]!, qeChain[0]!], at, 'root CA CRL');
  await checkCrl(parseCrl(fromHex(c.pck_crl, MCODE, 'pck_crl')), pckCa, [pckPath[0]!], at, 'PCK CRL');

  // TCB info.
  const tcbInfo = json(c.tcb_info, 'tcb_info');
  const version = aInt(tcbInfo.version, 'tcb_info.version');
  if (version !== 2 && version !== 3) fail(MCODE, `unsupported TCB info version ${version}`);
  const id = version === 3 ? tcbInfo.id : 'SGX';
  if (id !== (quote.tee === 'tdx' ? 'TDX' : 'SGX')) fail('ERR_COLLATERAL_MISMATCH', `TCB info is for ${String(id)}, quote is ${quote.tee}`);
  if (String(tcbInfo.fmspc).toLowerCase() !== pck.fmspc) fail('ERR_COLLATERAL_MISMATCH', `TCB info FMSPC ${String(tcbInfo.fmspc)} ≠ PCK FMSPC ${pck.fmspc}`);
  if (String(tcbInfo.pceId).toLowerCase() !== pck.pceId) fail('ERR_COLLATERAL_MISMATCH', 'TCB info PCE-ID does not match the PCK certificate');
  const tcbWin = checkWindow(tcbInfo, at, 'TCB info');

  const teeTcbSvn = quote.td?.teeTcbSvn;
  const platform = matchPlatformTcbLevel(tcbInfo, version, pck, teeTcbSvn);

  // TDX module identity.
  let tdxModuleStatus: TcbStatus | undefined;
  let moduleAdvisories: string[] = [];
  if (quote.td && teeTcbSvn) {
    const td = quote.td;
    if (teeTcbSvn[1]! > 0) {
      const ids = tcbInfo.tdxModuleIdentities;
      if (!Array.isArray(ids)) fail(MCODE, 'TCB info has no tdxModuleIdentities');
      const want = `TDX_${String(teeTcbSvn[1]).padStart(2, '0')}`;
      const ident = ids.find((x) => (x as Record<string, unknown>)?.id === want) as Record<string, unknown> | undefined;
      if (!ident) fail('ERR_COLLATERAL_MISMATCH', `TCB info has no TDX module identity ${want}`);
      if (String(ident.mrsigner).toLowerCase() !== toHex(td.mrSignerSeam) || !maskedEqual(td.seamAttributes, ident.attributesMask, ident.attributes, 'TDX module attributes')) {
        fail('ERR_COLLATERAL_MISMATCH', 'TDX module signer/attributes do not match the TDX module identity');
      }
      const lvl = levels(ident, want).find((l) => teeTcbSvn[0]! >= aInt((l.tcb as Record<string, unknown>).isvsvn, 'isvsvn'));
      if (!lvl) fail('ERR_QUOTE_TCB_UNKNOWN', 'TDX module SVN is below every level of its identity');
      tdxModuleStatus = aStatus(lvl.tcbStatus);
      moduleAdvisories = advisories(lvl);
    } else {
      const mod = tcbInfo.tdxModule as Record<string, unknown> | undefined;
      if (!mod) fail(MCODE, 'TCB info has no tdxModule');
      if (String(mod.mrsigner).toLowerCase() !== toHex(td.mrSignerSeam) || !maskedEqual(td.seamAttributes, mod.attributesMask, mod.attributes, 'TDX module attributes')) {
        fail('ERR_COLLATERAL_MISMATCH', 'TDX module signer/attributes do not match tdxModule');
      }
    }
  }

  // QE identity.
  const qeId = json(c.qe_identity, 'qe_identity');
  const qeVersion = aInt(qeId.version, 'qe_identity.version');
  if (qeVersion !== 2) fail(MCODE, `unsupported QE identity version ${qeVersion}`);
  if (qeId.id !== (quote.tee === 'tdx' ? 'TD_QE' : 'QE')) fail('ERR_COLLATERAL_MISMATCH', `QE identity is for ${String(qeId.id)}, quote is ${quote.tee}`);
  const qeWin = checkWindow(qeId, at, 'QE identity');
  const qe = quote.qeReport;
  const misc = new Uint8Array(4);
  // The identity writes MISCSELECT as the report's raw (little-endian) bytes in hex.
  new DataView(misc.buffer).setUint32(0, qe.miscSelect, true);
  if (
    String(qeId.mrsigner).toLowerCase() !== toHex(qe.mrSigner) ||
    aInt(qeId.isvprodid, 'isvprodid') !== qe.isvProdId ||
    !maskedEqual(misc, qeId.miscselectMask, qeId.miscselect, 'miscselect') ||
    !maskedEqual(qe.attributes, qeId.attributesMask, qeId.attributes, 'attributes')
  ) {
    fail('ERR_QE_IDENTITY_MISMATCH', 'the quoting enclave does not match the QE identity');
  }
  const qeLevel = levels(qeId, 'qe_identity').find((l) => qe.isvSvn >= aInt((l.tcb as Record<string, unknown>).isvsvn, 'isvsvn'));
  if (!qeLevel) fail('ERR_QUOTE_TCB_UNKNOWN', 'QE ISVSVN is below every level of the QE identity');
  const qeStatus = aStatus(qeLevel.tcbStatus);

  let status = converge(platform.status, qeStatus);
  if (tdxModuleStatus) status = converge(status, tdxModuleStatus);
  const advisoryIds = [...new Set([...platform.advisoryIds, ...advisories(qeLevel), ...moduleAdvisories])];
  return {
    status,
    advisoryIds,
    tcbDate: platform.tcbDate,
    platformStatus: platform.status,
    qeStatus,
    ...(tdxModuleStatus ? { tdxModuleStatus } : {}),
    fmspc: pck.fmspc,
    tcbInfoIssueDate: tcbWin.issue.toISOString(),
    tcbInfoNextUpdate: tcbWin.next.toISOString(),
    qeIdentityIssueDate: qeWin.issue.toISOString(),
    qeIdentityNextUpdate: qeWin.next.toISOString(),
    tcbEvaluationDataNumber: aInt(tcbInfo.tcbEvaluationDataNumber, 'tcbEvaluationDataNumber'),
  };
}

