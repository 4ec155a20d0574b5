// SGX / TDX DCAP quotes: every vector of the shared MANIFEST verifies with exactly the listed facts
// at the listed times; validity windows, debug policy and the Intel synthetic set fail as they must.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { verifyQuote, parseQuote, type AttestationFacts } from '../src/index.ts';
import { pemToDer } from '../src/lib/x509.ts';
import { QUOTE_FACTS } from './helpers/manifest-facts.ts';
import { REAL_QUOTES as REAL, quoteTime as timeFor, vec, vecText } from './helpers/vectors.ts';


async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

function expectFacts(file: string, f: AttestationFacts) {
  const e = QUOTE_FACTS[file as keyof typeof QUOTE_FACTS] as Record<string, any>;
  const d = f.details as Record<string, any>;
  assert.equal(f.tee, e.tee);
  assert.equal(d.quoteVersion, e.version);
  assert.equal(f.reportData, e.reportData);
  assert.equal(f.debug, e.debug);
  assert.deepEqual(d.qe, e.qe);
  assert.equal(d.certDataType, e.certDataType);
  assert.equal(d.fmspc, e.fmspc);
  assert.equal(d.pceId, e.pceId);
  assert.equal(d.pckChainValidity.notBefore, new Date(e.chainWindow[0]).toISOString());
  assert.equal(d.pckChainValidity.notAfter, new Date(e.chainWindow[1]).toISOString());
  assert.deepEqual(d.oeHeader, e.oeHeader);
  if (e.tee === 'sgx') {
    assert.equal(f.measurement, e.mrenclave);
    assert.deepEqual(f.measurements, { mrenclave: e.mrenclave, mrsigner: e.mrsigner });
    assert.equal(d.isvProdId, e.isvProdId);
    assert.equal(d.isvSvn, e.isvSvn);
    assert.equal(d.cpuSvn, e.cpuSvn);
    assert.equal(d.attributes, e.attributes);
  } else {
    assert.equal(f.measurement, e.mrtd);
    for (const k of ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3', 'mrseam']) assert.equal(f.measurements[k], e[k], k);
    assert.equal(d.teeTcbSvn, e.teeTcbSvn);
    assert.equal(d.tdAttributes, e.tdAttributes);
    assert.equal(d.xfam, e.xfam);
    assert.equal(d.bodyType, e.bodyType);
  }
}

for (const file of REAL) {
  test(`${file}: verifies with the MANIFEST facts`, async () => {
    const f = await verifyQuote(vec(file), { at: timeFor(file), allowDebug: true });
    expectFacts(file, f);
    assert.equal(f.verifiedAt, timeFor(file).toISOString());
    assert.equal(f.tcb, undefined);
  });

  test(`${file}: the PCK chain window is exactly the MANIFEST's`, async () => {
    const [from, to] = QUOTE_FACTS[file as keyof typeof QUOTE_FACTS].chainWindow;
    await verifyQuote(vec(file), { at: new Date(from), allowDebug: true });
    await verifyQuote(vec(file), { at: new Date(to), allowDebug: true });
    await rejects(verifyQuote(vec(file), { at: new Date(Date.parse(from) - 1000), allowDebug: true }), 'ERR_CERT_NOT_YET_VALID');
    await rejects(verifyQuote(vec(file), { at: new Date(Date.parse(to) + 1000), allowDebug: true }), 'ERR_CERT_EXPIRED');
  });
}

test('debug quotes fail without allowDebug; production quotes pass without it', async () => {
  await rejects(verifyQuote(vec('sgx/oe-remote-report-debug_zkportal-report-verification.bin'), { at: new Date('2025-07-01') }), 'ERR_DEBUG_NOT_ALLOWED');
  await rejects(verifyQuote(vec('tdx/teekit_tdx-v4-trustee-debug.quote.bin'), { at: new Date('2025-09-01') }), 'ERR_DEBUG_NOT_ALLOWED');
  await rejects(verifyQuote(vec('tdx/teekit_tdx-v4-trustee-debug.quote.bin'), { at: new Date('2025-09-01'), allowDebug: false }), 'ERR_DEBUG_NOT_ALLOWED');
  for (const f of REAL.filter((f) => !QUOTE_FACTS[f as keyof typeof QUOTE_FACTS].debug)) {
    assert.equal((await verifyQuote(vec(f), { at: timeFor(f) })).debug, false);
  }
});

test('zkPortal report_data binds SHA-256 of its message (prefix binding followed by zeros)', async () => {
  const binding = sha256(new TextEncoder().encode('some kind of data signed by the report'));
  const f = await verifyQuote(vec('sgx/oe-remote-report-debug_zkportal-report-verification.bin'), {
    at: new Date('2025-07-01'),
    allowDebug: true,
    reportData: binding,
  });
  assert.equal(f.reportData.slice(0, 64), '9032d81a3f98845c0784aa302de9a12f35f5bd77bda47ca1699d5315e7002cef');
});

test('policy: measurement allowlist, report_data binding, TEE type', async () => {
  const file = 'sgx/dcap-qvl_sgx_quote.bin';
  const at = new Date('2025-07-01');
  const mr = QUOTE_FACTS[file].mrenclave;
  await verifyQuote(vec(file), { at, measurements: ['00'.repeat(32), mr.toUpperCase()] });
  await rejects(verifyQuote(vec(file), { at, measurements: ['00'.repeat(32)] }), 'ERR_MEASUREMENT_MISMATCH');
  // The MRSIGNER is not the measurement.
  await rejects(verifyQuote(vec(file), { at, measurements: [QUOTE_FACTS[file].mrsigner] }), 'ERR_MEASUREMENT_MISMATCH');
  await verifyQuote(vec(file), { at, reportData: new TextEncoder().encode('Hello, world!') });
  await rejects(verifyQuote(vec(file), { at, reportData: new TextEncoder().encode('Hello, world?') }), 'ERR_REPORT_DATA_MISMATCH');
  await rejects(verifyQuote(vec(file), { at, reportData: '00'.repeat(65) }), 'ERR_REPORT_DATA_MISMATCH');
  await rejects(verifyQuote(vec(file), { at, tees: ['tdx'] }), 'ERR_TEE_NOT_ALLOWED');
  await rejects(verifyQuote(vec(file), { at, expectTee: 'tdx' }), 'ERR_TEE_NOT_ALLOWED');
  await rejects(verifyQuote(vec('tdx/dcap-qvl_tdx_quote.bin'), { at, expectTee: 'sgx' }), 'ERR_TEE_NOT_ALLOWED');
});

test('Intel synthetic set: rejected against the real Intel root, accepted only with its own root', async () => {
  const quote = vec('sgx/intel-synthetic/quote.dat');
  const pckChain = vecText('sgx/intel-synthetic/pckCert.pem') + vecText('sgx/intel-synthetic/pckSignChain.pem');
  const at = new Date('2025-09-01');
  await rejects(verifyQuote(quote, { at }), 'ERR_CERT_CHAIN'); // type 1: no chain in the quote
  await rejects(verifyQuote(quote, { at, pckChain }), 'ERR_ROOT_UNTRUSTED');
  const root = parseQuote(quote); // structure is sound
  assert.equal(root.certDataType, 1);
  const synthetic = pemToDer(vecText('sgx/intel-synthetic/trustedRootCaCert.pem'))[0]!;
  const f = await verifyQuote(quote, { at, pckChain, trustedRoots: [synthetic] });
  const e = QUOTE_FACTS['sgx/intel-synthetic/quote.dat'];
  expectFacts('sgx/intel-synthetic/quote.dat', f);
  assert.equal(f.measurement, e.mrenclave);
  assert.equal((f.details as Record<string, unknown>).pckPceSvn, 3);
  // Expired PCK leaf (2026-09-05) at today's date.
  await rejects(verifyQuote(quote, { at: new Date('2026-11-21'), pckChain, trustedRoots: [synthetic] }), 'ERR_CERT_EXPIRED');
});
