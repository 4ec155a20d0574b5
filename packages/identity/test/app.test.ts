import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VeilError } from '@veil/crypto';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { verifySimulationEvidence } from '@veil/attest/simulation-verify';
import type { EvidenceProducer } from '@veil/attest/producers/producer';
import { buildEnclaveApp } from '../src/app.ts';
import { generateChannelKey } from '../src/channel.ts';
import { deriveReportData } from '../src/report-data.ts';
import { verifyEnclaveEvidence } from '../src/verify-evidence.ts';
import { fromBase64, toHex } from '@veil/crypto/bytes';

const M = 'ef'.repeat(32);

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'veil-enclave-app-'));
  const producer = await createSimulationProducer({ dataDir: dir, measurement: M });
  const channel = await generateChannelKey();
  const app = await buildEnclaveApp({ producer, channel });
  return { dir, producer, channel, app, async done() { await app.close(); await rm(dir, { recursive: true, force: true }); } };
}

test('GET /attestation/evidence binds the challenge and the channel key', async () => {
  const s = await setup();
  try {
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    const res = await s.app.inject({ url: `/attestation/evidence?challenge=${toHex(challenge).toUpperCase()}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['channelPublicKey', 'evidence', 'measurement', 'simulated', 'type', 'v']);
    assert.equal(body.v, 1);
    assert.equal(body.type, 'simulation');
    assert.equal(body.simulated, true);
    assert.equal(body.measurement, M);
    assert.equal(body.channelPublicKey, toHex(s.channel.publicKey));
    const expected = deriveReportData('evidence', challenge, s.channel.publicKey);
    assert.equal(expected.length, 64);
    const facts = verifySimulationEvidence(fromBase64(body.evidence, 1 << 16, 'X', 'evidence'), {
      allowSimulation: true,
      simulationRoot: s.producer.rootPublicKey,
      measurements: [M],
      reportData: expected,
    });
    assert.equal(facts.simulated, true);
    const v = await verifyEnclaveEvidence(body, { purpose: 'evidence', challenge, measurements: [M], allowSimulation: true, simulationRoot: s.producer.rootPublicKey });
    assert.deepEqual(v.channelPublicKey, s.channel.publicKey);
    // the same evidence is worthless for another challenge, another purpose or another key
    const other = crypto.getRandomValues(new Uint8Array(32));
    const opts = { measurements: [M], allowSimulation: true, simulationRoot: s.producer.rootPublicKey };
    await assert.rejects(verifyEnclaveEvidence(body, { ...opts, purpose: 'evidence', challenge: other }), { code: 'ERR_REPORT_DATA_MISMATCH' });
    await assert.rejects(verifyEnclaveEvidence(body, { ...opts, purpose: 'provision', challenge }), { code: 'ERR_REPORT_DATA_MISMATCH' });
    const swapped = { ...body, channelPublicKey: toHex((await generateChannelKey()).publicKey) };
    await assert.rejects(verifyEnclaveEvidence(swapped, { ...opts, purpose: 'evidence', challenge }), { code: 'ERR_REPORT_DATA_MISMATCH' });
    await assert.rejects(verifyEnclaveEvidence(body, { ...opts, purpose: 'evidence', challenge, allowSimulation: false }), { code: 'ERR_SIMULATION_NOT_ALLOWED' });
    await assert.rejects(verifyEnclaveEvidence(body, { ...opts, purpose: 'evidence', challenge, measurements: ['00'.repeat(32)] }), { code: 'ERR_MEASUREMENT_MISMATCH' });
    await assert.rejects(verifyEnclaveEvidence({ ...body, type: 'sgx' }, { ...opts, purpose: 'evidence', challenge }), { code: 'ERR_SGX_VERIFIER_MISSING' });
    for (const bad of [null, 'x', { ...body, v: 2 }, { ...body, evidence: '***' }, { ...body, channelPublicKey: 'ab' }, { ...body, type: 'tdx' }]) {
      await assert.rejects(verifyEnclaveEvidence(bad, { ...opts, purpose: 'evidence', challenge }), { code: 'ERR_EVIDENCE_MALFORMED' });
    }
  } finally {
    await s.done();
  }
});

test('GET /attestation/evidence rejects bad challenges with a JSON 400', async () => {
  const s = await setup();
  try {
    for (const q of ['', '?challenge=', `?challenge=${'0'.repeat(63)}`, `?challenge=${'0'.repeat(66)}`, `?challenge=${'g'.repeat(64)}`, `?challenge=${'0'.repeat(100000)}`]) {
      const res = await s.app.inject({ url: `/attestation/evidence${q}` });
      assert.equal(res.statusCode, 400, q.slice(0, 40));
      assert.equal(res.json().error.code, 'ERR_CHALLENGE_INVALID');
    }
    const nf = await s.app.inject({ url: '/nope' });
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().error.code, 'ERR_NOT_FOUND');
    const post = await s.app.inject({ method: 'POST', url: `/attestation/evidence?challenge=${'00'.repeat(32)}` });
    assert.equal(post.statusCode, 404);
  } finally {
    await s.done();
  }
});

test('a failing producer gives a JSON 503 without internals', async () => {
  const broken: EvidenceProducer = {
    type: 'sgx',
    simulated: false,
    measurement: M,
    evidence: async () => {
      throw new VeilError('ERR_GRAMINE_UNAVAILABLE', 'no /dev/attestation');
    },
    sealKey: async () => new Uint8Array(16),
  };
  const app = await buildEnclaveApp({ producer: broken, channel: await generateChannelKey() });
  try {
    const res = await app.inject({ url: `/attestation/evidence?challenge=${'00'.repeat(32)}` });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error.code, 'ERR_EVIDENCE_UNAVAILABLE');
  } finally {
    await app.close();
  }
});

test('deriveReportData: fixed construction and caller mistakes', async () => {
  const { sha512 } = await import('@noble/hashes/sha2.js');
  const c = new Uint8Array(32).fill(1);
  const k = new Uint8Array(32).fill(2);
  const tag = new TextEncoder().encode('veil-enclave/evidence/v1');
  assert.deepEqual(deriveReportData('evidence', c, k), sha512(new Uint8Array([...tag, 0, ...c, ...k])));
  assert.notDeepEqual(deriveReportData('evidence', c, k), deriveReportData('provision', c, k));
  assert.throws(() => deriveReportData('evidence', new Uint8Array(31), k), TypeError);
  assert.throws(() => deriveReportData('evidence', c, new Uint8Array(33)), TypeError);
  assert.throws(() => deriveReportData('toString' as 'evidence', c, k), TypeError);
});

test('too many evidence requests in flight get 503 ERR_BUSY, then service resumes', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow: EvidenceProducer = {
    type: 'sgx',
    simulated: false,
    measurement: M,
    evidence: async (rd) => {
      await gate;
      return rd.slice();
    },
    sealKey: async () => new Uint8Array(16),
  };
  const app = await buildEnclaveApp({ producer: slow, channel: await generateChannelKey(), maxPendingEvidence: 2 });
  try {
    const url = `/attestation/evidence?challenge=${'00'.repeat(32)}`;
    const first = [app.inject({ url }), app.inject({ url })];
    await new Promise((r) => setTimeout(r, 50));
    const busy = await app.inject({ url });
    assert.equal(busy.statusCode, 503);
    assert.equal(busy.json().error.code, 'ERR_BUSY');
    release();
    for (const r of await Promise.all(first)) assert.equal(r.statusCode, 200);
    assert.equal((await app.inject({ url })).statusCode, 200);
  } finally {
    await app.close();
  }
});
