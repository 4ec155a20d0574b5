// verifyEnclaveEvidence with SGX evidence goes through the attest package's real DCAP verifier:
// exercised with a real production quote from ../shared/vectors (which, not being ours, carries
// no Veil binding), plus type-confusion attempts between SGX and simulation evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { parseCollateral, verifyQuote } from '@veil/attest';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { verifyEnclaveEvidence, type SgxQuoteVerifier } from '../src/verify-evidence.ts';
import { deriveReportData } from '../src/report-data.ts';
import { generateChannelKey } from '../src/channel.ts';
import { toBase64, toHex } from '@veil/crypto/bytes';

function vectors(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i++) {
    const c = join(dir, '..', 'shared', 'vectors');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(c, 'MANIFEST.md'))) return c;
    dir = dirname(dir);
  }
  throw new Error('attestation vectors not found (../shared/vectors)');
}
const V = vectors();
const QUOTE = new Uint8Array(readFileSync(join(V, 'sgx/dcap-qvl_sgx_quote.bin')));
const COLLATERAL = parseCollateral(readFileSync(join(V, 'sgx/dcap-qvl_sgx_quote_collateral.json'), 'utf8'));
// From MANIFEST.md: production enclave, collateral valid at 2025-07-01.
const MRENCLAVE = '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb';
const AT = new Date('2025-07-01T00:00:00Z');

const verifySgxQuote: SgxQuoteVerifier = (quote, policy) => verifyQuote(quote, { ...policy, at: AT, expectTee: 'sgx', collateral: COLLATERAL });

async function response(evidence: Uint8Array, type: string) {
  const channel = await generateChannelKey();
  return { v: 1, type, evidence: toBase64(evidence), channelPublicKey: toHex(channel.publicKey), measurement: MRENCLAVE, simulated: false };
}

test('sgx evidence: a genuine Intel-signed quote without our binding is refused for the binding', async () => {
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const res = await response(QUOTE, 'sgx');
  await assert.rejects(verifyEnclaveEvidence(res, { purpose: 'evidence', challenge, measurements: [MRENCLAVE], verifySgxQuote }), {
    code: 'ERR_REPORT_DATA_MISMATCH',
  });
  await assert.rejects(verifyEnclaveEvidence(res, { purpose: 'evidence', challenge, measurements: ['00'.repeat(32)], verifySgxQuote }), {
    code: 'ERR_MEASUREMENT_MISMATCH',
  });
  // without a verifier there is no way to accept SGX evidence
  await assert.rejects(verifyEnclaveEvidence(res, { purpose: 'evidence', challenge, measurements: [MRENCLAVE] }), { code: 'ERR_SGX_VERIFIER_MISSING' });
});

test('sgx evidence: the injected verifier cannot skip the binding check', async () => {
  // A verifier that forgets the policy still has the binding enforced by verifyEnclaveEvidence.
  const lax: SgxQuoteVerifier = (quote) => verifyQuote(quote, { at: AT, expectTee: 'sgx', collateral: COLLATERAL });
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  await assert.rejects(verifyEnclaveEvidence(await response(QUOTE, 'sgx'), { purpose: 'evidence', challenge, measurements: [MRENCLAVE], verifySgxQuote: lax }), {
    code: 'ERR_REPORT_DATA_MISMATCH',
  });
});

test('sgx evidence: a tampered quote fails in the quote verifier', async () => {
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const t = QUOTE.slice();
  t[48 + 320]! ^= 1; // report data byte
  await assert.rejects(
    verifyEnclaveEvidence(await response(t, 'sgx'), { purpose: 'evidence', challenge, measurements: [MRENCLAVE], verifySgxQuote }),
    (e: { code?: string }) => typeof e.code === 'string' && e.code.startsWith('ERR_QUOTE'),
  );
});

test('type confusion: simulation evidence labelled sgx, and a real quote labelled simulation, are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-confuse-'));
  try {
    const producer = await createSimulationProducer({ dataDir: dir, measurement: MRENCLAVE });
    const channel = await generateChannelKey();
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    const sim = await producer.evidence(deriveReportData('evidence', challenge, channel.publicKey));
    const asSgx = { v: 1, type: 'sgx', evidence: toBase64(sim), channelPublicKey: toHex(channel.publicKey), measurement: MRENCLAVE, simulated: false };
    await assert.rejects(verifyEnclaveEvidence(asSgx, { purpose: 'evidence', challenge, measurements: [MRENCLAVE], verifySgxQuote }), { code: 'ERR_QUOTE_MALFORMED' });
    const asSim = { ...(await response(QUOTE, 'simulation')) };
    await assert.rejects(
      verifyEnclaveEvidence(asSim, { purpose: 'evidence', challenge, measurements: [MRENCLAVE], allowSimulation: true, simulationRoot: producer.rootPublicKey }),
      { code: 'ERR_SIMULATION_MALFORMED' },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
