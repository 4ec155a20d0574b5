// AWS Nitro attestation documents: MANIFEST facts at the document times, 3-hour leaf windows,
// expiry at today's date, debug policy, encodings (COSE, base64, JSON wrapper), nonce, pinned root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEvidence, verifyNitroDocument, INTEL_SGX_ROOT_CA_DER } from '../src/index.ts';
import { NITRO_FACTS } from './helpers/manifest-facts.ts';
import { NITRO_TIMES, vec } from './helpers/vectors.ts';

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

const FACTS_FOR: Record<string, keyof typeof NITRO_FACTS> = {
  'nitro/aleo-oracle_btc_usdc_nitro-attestation.cose': 'nitro/aleo-oracle_btc_usdc_nitro-attestation.cose',
  'nitro/nitrite_nitro_attestation.cose': 'nitro/nitrite_nitro_attestation.b64',
  'nitro/nitrite_nitro_attestation_debug.cose': 'nitro/nitrite_nitro_attestation_debug.b64',
};

for (const [file, key] of Object.entries(FACTS_FOR)) {
  const e = NITRO_FACTS[key] as Record<string, any>;
  const at = new Date(NITRO_TIMES[file]!);
  test(`${file}: verifies with the MANIFEST facts at the document time`, async () => {
    const f = await verifyNitroDocument(vec(file), { at, allowDebug: true });
    const d = f.details as Record<string, any>;
    assert.equal(f.tee, 'nitro');
    assert.equal(f.measurement, e.pcr0);
    assert.equal(f.measurements.pcr0, e.pcr0);
    assert.equal(f.measurements.pcr1, e.pcr1);
    assert.equal(f.measurements.pcr2, e.pcr2);
    assert.equal(f.measurements.pcr4, e.pcr4);
    for (const i of [3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]) assert.match(f.measurements[`pcr${i}`]!, /^(00)+$/);
    assert.equal(f.debug, e.debug);
    assert.equal(d.moduleId, e.moduleId);
    assert.equal(d.timestamp, new Date(e.timestampMs).toISOString());
    assert.equal(d.timestamp, at.toISOString());
    if (e.ones) {
      const ones = '01'.repeat(1024);
      assert.equal(f.reportData, ones);
      assert.equal(d.nonce, ones);
      assert.equal(d.publicKey, ones);
    } else {
      assert.equal(f.reportData, e.userData);
      assert.equal(d.nonce, e.nonce);
      assert.equal(d.publicKey, null);
    }
    assert.equal(d.chainValidity.notBefore, new Date(e.chainWindow[0]).toISOString());
    assert.equal(d.chainValidity.notAfter, new Date(e.chainWindow[1]).toISOString());
  });

  test(`${file}: ~3 h leaf window; expired at today's date`, async () => {
    const [from, to] = e.chainWindow as [string, string];
    await verifyNitroDocument(vec(file), { at: new Date(to), allowDebug: true });
    await rejects(verifyNitroDocument(vec(file), { at: new Date(Date.parse(to) + 1000), allowDebug: true }), 'ERR_CERT_EXPIRED');
    await rejects(verifyNitroDocument(vec(file), { at: new Date(Date.parse(from) - 1000), allowDebug: true }), 'ERR_CERT_NOT_YET_VALID');
    await rejects(verifyNitroDocument(vec(file), { at: new Date('2026-11-21T00:00:00Z'), allowDebug: true }), 'ERR_CERT_EXPIRED');
  });
}

test('debug-mode document fails without allowDebug; production documents pass', async () => {
  await rejects(
    verifyNitroDocument(vec('nitro/nitrite_nitro_attestation_debug.cose'), { at: new Date(NITRO_TIMES['nitro/nitrite_nitro_attestation_debug.cose']!) }),
    'ERR_DEBUG_NOT_ALLOWED',
  );
  const f = await verifyNitroDocument(vec('nitro/nitrite_nitro_attestation.cose'), { at: new Date(NITRO_TIMES['nitro/nitrite_nitro_attestation.cose']!) });
  assert.equal(f.debug, false);
});

test('encodings: base64 text and the Aleo JSON wrapper decode to the same COSE bytes', () => {
  assert.deepEqual(decodeEvidence(vec('nitro/nitrite_nitro_attestation.b64')), vec('nitro/nitrite_nitro_attestation.cose'));
  assert.deepEqual(decodeEvidence(vec('nitro/nitrite_nitro_attestation_debug.b64')), vec('nitro/nitrite_nitro_attestation_debug.cose'));
  assert.deepEqual(
    decodeEvidence(vec('nitro/aleo-oracle_example_btc_usdc_attestation_nitro.json')),
    vec('nitro/aleo-oracle_btc_usdc_nitro-attestation.cose'),
  );
  assert.deepEqual(decodeEvidence(vec('nitro/nitrite_nitro_attestation.cose')), vec('nitro/nitrite_nitro_attestation.cose'));
});

test('policy: PCR0 allowlist, user_data binding, nonce, pinned root', async () => {
  const file = 'nitro/aleo-oracle_btc_usdc_nitro-attestation.cose';
  const at = new Date(NITRO_TIMES[file]!);
  const e = NITRO_FACTS[file];
  await verifyNitroDocument(vec(file), { at, measurements: [e.pcr0], reportData: e.userData, nonce: e.nonce });
  await rejects(verifyNitroDocument(vec(file), { at, measurements: [e.pcr1] }), 'ERR_MEASUREMENT_MISMATCH');
  await rejects(verifyNitroDocument(vec(file), { at, reportData: e.nonce }), 'ERR_REPORT_DATA_MISMATCH');
  await rejects(verifyNitroDocument(vec(file), { at, nonce: e.userData }), 'ERR_NONCE_MISMATCH');
  await rejects(verifyNitroDocument(vec(file), { at, tees: ['sgx'] }), 'ERR_TEE_NOT_ALLOWED');
  await rejects(verifyNitroDocument(vec(file), { at, trustedRoots: [INTEL_SGX_ROOT_CA_DER] }), 'ERR_ROOT_UNTRUSTED');
});
