// Intel collateral: TCB status and advisories as the MANIFEST lists them, signatures over the exact
// signed JSON bytes, collateral windows, CRLs (signature, window, revocation), wrong collateral.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTEL_SGX_ROOT_CA_DER, collateralFromPcs, parseCollateral, verifyQuote, type QuoteCollateral } from '../src/index.ts';
import { checkCrl, parseCertificate, parseCrl, pemToDer } from '../src/lib/x509.ts';
import { fromHex } from '../src/lib/bytes.ts';
import { vec, vecText } from './helpers/vectors.ts';

const SGX = 'sgx/dcap-qvl_sgx_quote.bin';
const TDX = 'tdx/dcap-qvl_tdx_quote.bin';
const sgxCol = () => parseCollateral(vecText('sgx/dcap-qvl_sgx_quote_collateral.json'));
const tdxCol = () => parseCollateral(vecText('tdx/dcap-qvl_tdx_quote_collateral.json'));
const AT = new Date('2025-07-01T00:00:00Z');

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

test('SGX: ConfigurationAndSWHardeningNeeded with INTEL-SA-00289/00615, QE UpToDate', async () => {
  const f = await verifyQuote(vec(SGX), { at: AT, collateral: sgxCol() });
  assert.equal(f.tcb?.status, 'ConfigurationAndSWHardeningNeeded');
  assert.deepEqual(f.tcb?.advisoryIds, ['INTEL-SA-00289', 'INTEL-SA-00615']);
  assert.equal(f.tcb?.qeStatus, 'UpToDate');
  assert.equal(f.tcb?.tcbDate, '2024-03-13T00:00:00Z');
  assert.equal(f.tcb?.fmspc, '00a067110000');
  assert.equal(f.tcb?.tcbEvaluationDataNumber, 17);
});

test('TDX: UpToDate, no advisories, TDX module identity UpToDate', async () => {
  const f = await verifyQuote(vec(TDX), { at: AT, collateral: tdxCol() });
  assert.equal(f.tcb?.status, 'UpToDate');
  assert.deepEqual(f.tcb?.advisoryIds, []);
  assert.equal(f.tcb?.qeStatus, 'UpToDate');
  assert.equal(f.tcb?.tdxModuleStatus, 'UpToDate');
  assert.equal(f.tcb?.tcbDate, '2024-03-13T00:00:00Z');
});

test('collateral windows are exactly the MANIFEST intersections; expired at today’s date', async () => {
  for (const [q, col, from, to] of [
    [SGX, sgxCol, '2025-06-19T10:56:11Z', '2025-07-19T10:01:18Z'],
    [TDX, tdxCol, '2025-06-19T10:32:27Z', '2025-07-19T10:00:35Z'],
  ] as const) {
    await verifyQuote(vec(q), { at: new Date(from), collateral: col() });
    await verifyQuote(vec(q), { at: new Date(to), collateral: col() });
    await rejects(verifyQuote(vec(q), { at: new Date(Date.parse(from) - 1000), collateral: col() }), 'ERR_COLLATERAL_NOT_YET_VALID');
    await rejects(verifyQuote(vec(q), { at: new Date(Date.parse(to) + 1000), collateral: col() }), 'ERR_COLLATERAL_EXPIRED');
    await rejects(verifyQuote(vec(q), { at: new Date('2026-11-21T00:00:00Z'), collateral: col() }), 'ERR_COLLATERAL_EXPIRED');
  }
});

test('TCB status policy: allowlist and requireTcb', async () => {
  await rejects(verifyQuote(vec(SGX), { at: AT, collateral: sgxCol(), tcbStatuses: ['UpToDate'] }), 'ERR_QUOTE_TCB_NOT_ALLOWED');
  await verifyQuote(vec(TDX), { at: AT, collateral: tdxCol(), tcbStatuses: ['UpToDate'], requireTcb: true });
  await rejects(verifyQuote(vec(TDX), { at: AT, requireTcb: true }), 'ERR_QUOTE_TCB_MISSING');
});

test('signatures cover the exact JSON bytes: re-serialised or edited documents fail', async () => {
  const variants: Array<[string, (c: QuoteCollateral) => void]> = [
    ['re-serialised tcb_info', (c) => (c.tcb_info = JSON.stringify(JSON.parse(c.tcb_info), null, 1))],
    ['edited tcb_info status', (c) => (c.tcb_info = c.tcb_info.replace('"ConfigurationAndSWHardeningNeeded"', '"UpToDate"'))],
    ['re-serialised qe_identity', (c) => (c.qe_identity = ` ${c.qe_identity}`)],
    ['edited qe_identity', (c) => (c.qe_identity = c.qe_identity.replace('"isvsvn":8', '"isvsvn":1'))],
    ['tcb_info signature', (c) => (c.tcb_info_signature = c.tcb_info_signature.replace(/^../, (h) => ((parseInt(h, 16) ^ 1) + 256).toString(16).slice(1)))],
    ['qe_identity signature', (c) => (c.qe_identity_signature = c.qe_identity_signature.replace(/..$/, (h) => ((parseInt(h, 16) ^ 1) + 256).toString(16).slice(1)))],
    ['TDX qe_identity for an SGX quote', (c) => {
      const t = tdxCol();
      c.qe_identity = t.qe_identity;
    }],
  ];
  for (const [what, mutate] of variants) {
    const c = sgxCol();
    mutate(c);
    await rejects(verifyQuote(vec(SGX), { at: AT, collateral: c }), 'ERR_COLLATERAL_SIGNATURE').catch((e) => {
      throw new Error(`${what}: ${e.message}`);
    });
  }
});

test('CRLs: tampered signatures, foreign issuer, wrong collateral', async () => {
  const flipLast = (hex: string) => hex.slice(0, -2) + ((parseInt(hex.slice(-2), 16) ^ 1) + 256).toString(16).slice(1);
  let c = sgxCol();
  c.pck_crl = flipLast(c.pck_crl);
  await rejects(verifyQuote(vec(SGX), { at: AT, collateral: c }), 'ERR_COLLATERAL_SIGNATURE');
  c = sgxCol();
  c.root_ca_crl = flipLast(c.root_ca_crl);
  await rejects(verifyQuote(vec(SGX), { at: AT, collateral: c }), 'ERR_COLLATERAL_SIGNATURE');
  // The TDX quote's PCK CA is the Platform CA; the SGX collateral's PCK CRL is the Processor CA's.
  c = tdxCol();
  c.pck_crl = sgxCol().pck_crl;
  await rejects(verifyQuote(vec(TDX), { at: AT, collateral: c }), 'ERR_COLLATERAL_MISMATCH');
  // Whole collateral of the other TEE: FMSPC/ID mismatch or CRL issuer mismatch, never success.
  await rejects(verifyQuote(vec(SGX), { at: AT, collateral: tdxCol() }), 'ERR_COLLATERAL_MISMATCH');
  c = sgxCol();
  c.tcb_info_issuer_chain = vecText('sgx/intel-synthetic/tcbSignChain.pem');
  await rejects(verifyQuote(vec(SGX), { at: AT, collateral: c }), 'ERR_ROOT_UNTRUSTED');
  await rejects(Promise.resolve().then(() => parseCollateral('{"pck_crl": 1}')), 'ERR_COLLATERAL_MALFORMED');
  await rejects(Promise.resolve().then(() => parseCollateral('not json')), 'ERR_COLLATERAL_MALFORMED');
});

test('revocation: a certificate whose serial is on a real, verified CRL is rejected', async () => {
  const tdx = tdxCol();
  const crl = parseCrl(fromHex(tdx.pck_crl));
  assert.equal(crl.revoked.size, 44);
  const [platformCa] = pemToDer(tdx.pck_crl_issuer_chain).map((d) => parseCertificate(d));
  const [revokedSerial] = [...crl.revoked];
  const leaf = parseCertificate(pemToDer(vecText('sgx/intel-synthetic/pckCert.pem'))[0]!);
  // Same CA and a listed serial: only these two fields decide revocation.
  const victim = { ...leaf, issuer: platformCa!.subject, serialHex: revokedSerial! };
  await rejects(checkCrl(crl, platformCa!, [victim], AT, 'PCK CRL'), 'ERR_CERT_REVOKED');
  await checkCrl(crl, platformCa!, [{ ...victim, serialHex: '01' }], AT, 'PCK CRL');
  await rejects(checkCrl(crl, platformCa!, [victim], new Date('2026-11-21'), 'PCK CRL'), 'ERR_COLLATERAL_EXPIRED');
});

/** Intel's synthetic PCS collateral (signed under its own test root, not the real one). */
function syntheticCollateral() {
  return collateralFromPcs({
    tcbInfo: vecText('sgx/intel-synthetic/tcbInfo.json'),
    qeIdentity: vecText('sgx/intel-synthetic/qeIdentity.json'),
    tcbSignChain: vecText('sgx/intel-synthetic/tcbSignChain.pem'),
    rootCaCrl: vec('sgx/intel-synthetic/rootCaCrl.der'),
    pckCrl: vec('sgx/intel-synthetic/intermediateCaCrl.der'),
    pckCrlIssuerChain: vecText('sgx/intel-synthetic/pckSignChain.pem'),
  });
}

test('Intel synthetic collateral: UpToDate with its own root, untrusted with the real one', async () => {
  const col = syntheticCollateral();
  const pckChain = vecText('sgx/intel-synthetic/pckCert.pem') + vecText('sgx/intel-synthetic/pckSignChain.pem');
  const [root] = pemToDer(vecText('sgx/intel-synthetic/trustedRootCaCert.pem'));
  const at = new Date('2025-09-01');
  const f = await verifyQuote(vec('sgx/intel-synthetic/quote.dat'), { at, pckChain, trustedRoots: [root!], collateral: col });
  assert.equal(f.tcb?.status, 'UpToDate');
  assert.equal(f.tcb?.tcbDate, '2019-09-01T00:00:00Z');
  assert.equal(f.tcb?.qeStatus, 'UpToDate');
  await rejects(verifyQuote(vec('sgx/intel-synthetic/quote.dat'), { at, pckChain, collateral: col }), 'ERR_ROOT_UNTRUSTED');
});

test('signed but non-matching identities: QE identity, TCB info FMSPC, TEE id', async () => {
  // Trust the synthetic root too, so the synthetic documents' signatures verify and the identity
  // comparison itself is what fails.
  const roots = [INTEL_SGX_ROOT_CA_DER, pemToDer(vecText('sgx/intel-synthetic/trustedRootCaCert.pem'))[0]!];
  const synthetic = syntheticCollateral();
  const mixQe = { ...sgxCol(), qe_identity: synthetic.qe_identity, qe_identity_signature: synthetic.qe_identity_signature, qe_identity_issuer_chain: synthetic.tcb_info_issuer_chain };
  await rejects(verifyQuote(vec(SGX), { at: AT, collateral: mixQe, trustedRoots: roots }), 'ERR_QE_IDENTITY_MISMATCH');
  const mixTcb = { ...sgxCol(), tcb_info: synthetic.tcb_info, tcb_info_signature: synthetic.tcb_info_signature, tcb_info_issuer_chain: synthetic.tcb_info_issuer_chain };
  await rejects(verifyQuote(vec(SGX), { at: AT, collateral: mixTcb, trustedRoots: roots }), 'ERR_COLLATERAL_MISMATCH');
  const t = tdxCol();
  const tdxQe = { ...sgxCol(), qe_identity: t.qe_identity, qe_identity_signature: t.qe_identity_signature };
  await rejects(verifyQuote(vec(SGX), { at: AT, collateral: tdxQe }), 'ERR_COLLATERAL_MISMATCH');
});
