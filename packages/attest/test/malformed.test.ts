// Malformed input: truncation at every length, wrong versions and types, huge length fields,
// oversized input. Every failure is a VeilError with the parser's code, never another exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVeilError } from '@veil/crypto';
import {
  MAX_QUOTE_BYTES,
  decodeEvidence,
  parseCollateral,
  parseNitroDocument,
  parseQuote,
  parseSevReport,
  verifyNitroDocument,
  verifyQuote,
} from '../src/index.ts';
import { vec } from './helpers/vectors.ts';

function throwsCode(fn: () => unknown, code: string, what = '') {
  assert.throws(fn, (e) => {
    assert.ok(isVeilError(e), `${what}: not a VeilError: ${String(e)}`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    return true;
  });
}

function le16(b: Uint8Array, at: number, v: number) {
  new DataView(b.buffer, b.byteOffset).setUint16(at, v, true);
}
function le32(b: Uint8Array, at: number, v: number) {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
}

const QUOTES = [
  'sgx/dcap-qvl_sgx_quote.bin', // v3
  'sgx/aleo-oracle_weather_oe-remote-report.bin', // OE header + v3
  'tdx/teekit_tdx-v4-edgeless.quote.bin', // v4
  'tdx/teekit_tdx-v5-trustee.quote.bin', // v5
];

for (const file of QUOTES) {
  test(`truncated at every length: ${file}`, () => {
    const q = vec(file);
    for (let n = 0; n < q.length; n++) throwsCode(() => parseQuote(q.subarray(0, n)), 'ERR_QUOTE_MALFORMED', `length ${n}`);
  });
}

test('TDX zero padding is tolerated, anything else after the signature data is not', () => {
  const q = vec('tdx/dcap-qvl_tdx_quote.bin');
  const core = parseQuote(q);
  assert.equal(core.version, 4);
  const end = q.length - 70; // 70 bytes of zero padding per the MANIFEST
  parseQuote(q.subarray(0, end));
  for (let n = end - 1; n > end - 40; n--) throwsCode(() => parseQuote(q.subarray(0, n)), 'ERR_QUOTE_MALFORMED');
  const bad = q.slice();
  bad[q.length - 1] = 1;
  throwsCode(() => parseQuote(bad), 'ERR_QUOTE_MALFORMED');
});

test('wrong versions, key types and TEE types', () => {
  const q = vec('sgx/dcap-qvl_sgx_quote.bin');
  for (const v of [0, 1, 2, 6, 0xffff]) {
    const b = q.slice();
    le16(b, 0, v);
    throwsCode(() => parseQuote(b), 'ERR_QUOTE_MALFORMED', `version ${v}`);
  }
  for (const k of [0, 1, 3, 0xffff]) {
    const b = q.slice();
    le16(b, 2, k);
    throwsCode(() => parseQuote(b), 'ERR_QUOTE_MALFORMED', `key type ${k}`);
  }
  const v3tee = q.slice();
  le32(v3tee, 4, 0x81);
  throwsCode(() => parseQuote(v3tee), 'ERR_QUOTE_MALFORMED', 'v3 with TDX tee type');
  const t = vec('tdx/teekit_tdx-v4-edgeless.quote.bin');
  for (const tee of [1, 0x80, 0xffffffff]) {
    const b = t.slice();
    le32(b, 4, tee);
    throwsCode(() => parseQuote(b), 'ERR_QUOTE_MALFORMED', `tee ${tee}`);
  }
  const v5 = vec('tdx/teekit_tdx-v5-trustee.quote.bin');
  for (const [type, size] of [[1, 648], [2, 648], [3, 584], [4, 648], [0, 0]] as const) {
    const b = v5.slice();
    le16(b, 48, type);
    le32(b, 50, size);
    throwsCode(() => parseQuote(b), 'ERR_QUOTE_MALFORMED', `v5 body ${type}/${size}`);
  }
  const oe = vec('sgx/aleo-oracle_weather_oe-remote-report.bin');
  const badSize = oe.slice();
  le32(badSize, 8, 4599);
  throwsCode(() => parseQuote(badSize), 'ERR_QUOTE_MALFORMED', 'OE report_size');
});

test('huge length fields never allocate or hang', () => {
  const q = vec('sgx/dcap-qvl_sgx_quote.bin');
  const sigLenAt = 48 + 384;
  const authLenAt = sigLenAt + 4 + 64 + 64 + 384 + 64;
  const authLen = new DataView(q.buffer).getUint16(authLenAt, true);
  const certSizeAt = authLenAt + 2 + authLen + 2;
  for (const [at, width] of [[sigLenAt, 4], [authLenAt, 2], [certSizeAt, 4]] as const) {
    for (const v of width === 4 ? [0xffffffff, 0x80000000, q.length] : [0xffff, 0x8000]) {
      const b = q.slice();
      if (width === 4) le32(b, at, v);
      else le16(b, at, v);
      throwsCode(() => parseQuote(b), 'ERR_QUOTE_MALFORMED', `field @${at} = ${v}`);
    }
  }
  const oe = vec('sgx/aleo-oracle_weather_oe-remote-report.bin');
  const huge = oe.slice();
  new DataView(huge.buffer).setBigUint64(8, 0xffffffffffffffffn, true);
  throwsCode(() => parseQuote(huge), 'ERR_QUOTE_MALFORMED');
  throwsCode(() => parseQuote(new Uint8Array(MAX_QUOTE_BYTES + 1)), 'ERR_QUOTE_MALFORMED');
  // A v4 quote whose outer certification data is not type 6.
  const v4 = vec('tdx/teekit_tdx-v4-edgeless.quote.bin');
  const outerTypeAt = 48 + 584 + 4 + 128;
  const b = v4.slice();
  le16(b, outerTypeAt, 5);
  throwsCode(() => parseQuote(b), 'ERR_QUOTE_MALFORMED');
});

test('a quote whose embedded chain is not PEM', async () => {
  const q = vec('sgx/dcap-qvl_sgx_quote.bin');
  const parsed = parseQuote(q);
  const b = q.slice();
  b[parsed.certData.byteOffset + 5] = 0x07;
  await assert.rejects(verifyQuote(b, { at: new Date('2025-07-01') }), (e) => isVeilError(e, 'ERR_QUOTE_MALFORMED'));
});

test('Nitro: truncated at every length, wrong algorithm, huge CBOR lengths, wrong shapes', async () => {
  const d = vec('nitro/aleo-oracle_btc_usdc_nitro-attestation.cose');
  for (let n = 0; n < d.length; n++) throwsCode(() => parseNitroDocument(d.subarray(0, n)), 'ERR_NITRO_MALFORMED', `length ${n}`);
  throwsCode(() => parseNitroDocument(new Uint8Array([0x84, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), 'ERR_NITRO_MALFORMED');
  throwsCode(() => parseNitroDocument(new Uint8Array([0x9a, 0xff, 0xff, 0xff, 0xf0])), 'ERR_NITRO_MALFORMED');
  throwsCode(() => parseNitroDocument(new Uint8Array([0xbb, 0, 0, 0, 1, 0, 0, 0, 0])), 'ERR_NITRO_MALFORMED');
  throwsCode(() => parseNitroDocument(new Uint8Array([0xd2, 0x83, 0x40, 0xa0, 0x40])), 'ERR_NITRO_MALFORMED'); // tag 18, 3 items
  throwsCode(() => parseNitroDocument(new Uint8Array([0xd3, 0x84, 0x40, 0xa0, 0x40, 0x40])), 'ERR_NITRO_MALFORMED'); // tag 19
  throwsCode(() => parseNitroDocument(new Uint8Array([...d, 0])), 'ERR_NITRO_MALFORMED');
  // Protected header {1: -36} (ES512) instead of {1: -35}: parses, but the verifier refuses it.
  const es512 = d.slice();
  const i = es512.findIndex((_, k) => es512[k] === 0x44 && es512[k + 1] === 0xa1 && es512[k + 2] === 0x01 && es512[k + 3] === 0x38 && es512[k + 4] === 0x22);
  assert.ok(i > 0);
  es512[i + 4] = 0x23;
  assert.equal(parseNitroDocument(es512).alg, -36);
  await assert.rejects(verifyNitroDocument(es512, { at: new Date('2024-08-30T08:53:48.632Z') }), (e) => isVeilError(e, 'ERR_NITRO_MALFORMED'));
});

test('SEV-SNP: truncated or extended, wrong version, wrong signature algorithm, oversized r/s', () => {
  const r = vec('sev/teekit_sev-gcp.bin');
  for (let n = 0; n < r.length; n += 1) throwsCode(() => parseSevReport(r.subarray(0, n)), 'ERR_SEV_MALFORMED');
  throwsCode(() => parseSevReport(new Uint8Array([...r, 0])), 'ERR_SEV_MALFORMED');
  for (const v of [0, 1, 6, 0xffffffff]) {
    const b = r.slice();
    le32(b, 0, v);
    throwsCode(() => parseSevReport(b), 'ERR_SEV_MALFORMED', `version ${v}`);
  }
  const alg = r.slice();
  le32(alg, 0x34, 2);
  throwsCode(() => parseSevReport(alg), 'ERR_SEV_MALFORMED');
  const big = r.slice();
  big[0x2a0 + 71] = 1;
  throwsCode(() => parseSevReport(big), 'ERR_SEV_MALFORMED');
});

test('evidence files and collateral: clear errors for bad encodings', () => {
  throwsCode(() => decodeEvidence(new TextEncoder().encode('{"attestationReport": 5}')), 'ERR_INPUT_MALFORMED');
  throwsCode(() => decodeEvidence(new TextEncoder().encode('[{}, {}]')), 'ERR_INPUT_MALFORMED');
  throwsCode(() => decodeEvidence(new TextEncoder().encode('{"attestationReport": "%%%"}')), 'ERR_INPUT_MALFORMED');
  throwsCode(() => decodeEvidence(new TextEncoder().encode('{not json')), 'ERR_INPUT_MALFORMED');
  throwsCode(() => decodeEvidence(new TextEncoder().encode('   ')), 'ERR_INPUT_MALFORMED');
  throwsCode(() => decodeEvidence(new TextEncoder().encode('QR==')), 'ERR_INPUT_MALFORMED'); // non-canonical
  throwsCode(() => decodeEvidence(new Uint8Array(1024 * 1024 + 1)), 'ERR_INPUT_MALFORMED');
  assert.deepEqual(decodeEvidence(new TextEncoder().encode('0A0b\n')), new Uint8Array([10, 11]));
  throwsCode(() => parseCollateral([]), 'ERR_COLLATERAL_MALFORMED');
  throwsCode(() => parseCollateral(null), 'ERR_COLLATERAL_MALFORMED');
  assert.throws(() => parseQuote('abc' as never), TypeError);
});
