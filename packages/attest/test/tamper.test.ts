// One-byte tampering anywhere in the signed parts of every vector makes verification fail.
// Each vector is swept at ~250 offsets (a stride with a seeded phase, plus every one of the last 64
// bytes, where PEM terminators and padding live) with a one-bit flip that varies by offset.
// Exhaustive sweeps (every byte) were run once by hand and found no accepted mutation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVeilError } from '@veil/crypto';
import { decodeEvidence, parseCollateral, parseQuote, verifyNitroDocument, verifyQuote, verifySevReport } from '../src/index.ts';
import { fromHex, toHex } from '../src/lib/bytes.ts';
import { pemToDer } from '../src/lib/x509.ts';
import { NITRO_TIMES, REAL_QUOTES, SEV_CASES, quoteTime, vec, vecText } from './helpers/vectors.ts';

function offsets(len: number, seed: number, end = len): number[] {
  const stride = Math.max(1, Math.floor(end / 250));
  const out = new Set<number>();
  for (let i = seed % stride; i < end; i += stride) out.add(i);
  for (let i = Math.max(0, end - 64); i < end; i++) out.add(i);
  return [...out];
}

async function sweep(bytes: Uint8Array, verify: (b: Uint8Array) => Promise<unknown>, end = bytes.length) {
  await verify(bytes); // the untouched vector verifies
  const accepted: number[] = [];
  for (const i of offsets(bytes.length, bytes.length * 7919, end)) {
    const b = bytes.slice();
    b[i]! ^= 1 << (i % 8);
    try {
      await verify(b);
      accepted.push(i);
    } catch (e) {
      if (!isVeilError(e)) throw new Error(`offset ${i}: not a VeilError: ${String(e)}`);
    }
  }
  assert.deepEqual(accepted, [], 'tampered evidence was accepted');
}

for (const file of [...REAL_QUOTES, 'sgx/intel-synthetic/quote.dat']) {
  test(`tamper: ${file}`, async () => {
    if (file.includes('intel-synthetic')) {
      const pckChain = vecText('sgx/intel-synthetic/pckCert.pem') + vecText('sgx/intel-synthetic/pckSignChain.pem');
      const roots = pemToDer(vecText('sgx/intel-synthetic/trustedRootCaCert.pem'));
      // Certification data type 1 (encrypted PPID, CPUSVN, PCESVN, PCE-ID) is unsigned by design;
      // the chain comes from the PEM files instead.
      const q = parseQuote(vec(file));
      const certDataStart = q.certData.byteOffset - 4 - 2;
      await sweep(vec(file), (b) => verifyQuote(b, { at: new Date('2025-09-01'), pckChain, trustedRoots: roots }), certDataStart);
    } else {
      await sweep(vec(file), (b) => verifyQuote(b, { at: quoteTime(file), allowDebug: true }));
    }
  });
}

for (const file of Object.keys(NITRO_TIMES)) {
  test(`tamper: ${file}`, async () => {
    await sweep(vec(file), (b) => verifyNitroDocument(b, { at: new Date(NITRO_TIMES[file]!), allowDebug: true }));
  });
}

for (const c of SEV_CASES) {
  test(`tamper: ${c.report} (signed region and signature)`, async () => {
    const vcek = c.vcek.endsWith('.pem') ? vecText(c.vcek) : vec(c.vcek);
    const certChain = vecText(c.chain);
    // Bytes after r‖s (0x2A0 + 144) are reserved and unsigned.
    await sweep(decodeEvidence(vec(c.report)), (b) => verifySevReport(b, { at: new Date(c.at), vcek, certChain }), 0x2a0 + 144);
  });
}

test('tamper: every signed collateral document and CRL', async () => {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  for (const [quote, colFile] of [
    ['sgx/dcap-qvl_sgx_quote.bin', 'sgx/dcap-qvl_sgx_quote_collateral.json'],
    ['tdx/dcap-qvl_tdx_quote.bin', 'tdx/dcap-qvl_tdx_quote_collateral.json'],
  ]) {
    const base = parseCollateral(vecText(colFile!));
    const at = new Date('2025-07-01');
    for (const key of ['tcb_info', 'qe_identity', 'root_ca_crl', 'pck_crl', 'tcb_info_issuer_chain', 'tcb_info_signature'] as const) {
      // Hex fields are tampered in their decoded bytes (a case flip of a hex digit changes nothing).
      const hex = key.endsWith('crl') || key.endsWith('signature');
      const bytes = hex ? fromHex(base[key]) : enc.encode(base[key]);
      const picks = offsets(bytes.length, 17).filter((_, i) => hex || i % 5 === 0);
      for (const i of picks) {
        const b = bytes.slice();
        b[i]! ^= 1 << (i % (hex ? 8 : 7)); // text: bits 0–6 keep it ASCII
        const col = { ...base, [key]: hex ? toHex(b) : dec.decode(b) };
        await assert.rejects(verifyQuote(vec(quote!), { at, collateral: col }), (e) => isVeilError(e), `${colFile} ${key} @${i}`);
      }
    }
  }
});
