import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { generateEphemeralKey, bytesToHex } from '@veil/crypto';
import { generateChannelKey } from '../../src/channel.ts';
import { createClaimsSigner } from '../../src/enroll/claims-signer.ts';
import { signClaims } from '../../src/enroll/sign-claims.ts';
import { verifyClaims } from '../../src/enroll/verify-claims.ts';

const M = 'ab'.repeat(32);

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'veil-claims-'));
  const producer = await createSimulationProducer({ dataDir: dir, measurement: M });
  const channel = await generateChannelKey();
  const signer = await createClaimsSigner(producer, channel.publicKey);
  const subject = { alg: 'ed25519' as const, publicKey: bytesToHex(generateEphemeralKey().publicKey) };
  const file = signClaims(signer, subject, { nationality: 'NL', age_over_18: true, unique: true }, new Date('2026-12-01T08:00:00Z'), producer.rootPublicKey);
  return { dir, producer, channel, signer, subject, file, done: () => rm(dir, { recursive: true, force: true }) };
}
const code = (c: string) => (e: { code?: string }) => e.code === c;

test('a claims file verifies offline with the measurement, and says it is simulated', async () => {
  const s = await setup();
  try {
    const facts = await verifyClaims(JSON.parse(JSON.stringify(s.file)), { measurements: [M], allowSimulation: true });
    assert.deepEqual(facts, { subject: s.subject, claims: { nationality: 'NL', age_over_18: true, unique: true }, issuedAt: '2026-12-01T08:00:00.000Z', measurement: M, tee: 'simulation', simulated: true });
    assert.ok(!JSON.stringify(s.file).includes('uid'), 'no UID in a claims file');
  } finally { await s.done(); }
});

test('claims verification refuses simulation unless allowed, another measurement, and every tampering', async () => {
  const s = await setup();
  try {
    const trust = { measurements: [M], allowSimulation: true };
    await assert.rejects(verifyClaims(s.file, { measurements: [M] }), code('ERR_SIMULATION_NOT_ALLOWED'));
    await assert.rejects(verifyClaims(s.file, { ...trust, measurements: ['cd'.repeat(32)] }), code('ERR_MEASUREMENT_MISMATCH'));
    await assert.rejects(verifyClaims({ ...s.file, claims: { ...s.file.claims, nationality: 'DE' } }, trust), code('ERR_CLAIMS_SIGNATURE_INVALID'));
    await assert.rejects(verifyClaims({ ...s.file, claims: { ...s.file.claims, age_over_18: false } }, trust), code('ERR_CLAIMS_SIGNATURE_INVALID'));
    const other = { alg: 'ed25519', publicKey: bytesToHex(generateEphemeralKey().publicKey) };
    await assert.rejects(verifyClaims({ ...s.file, subject: other }, trust), code('ERR_CLAIMS_SIGNATURE_INVALID'));
    await assert.rejects(verifyClaims({ ...s.file, issuedAt: '2027-01-01T00:00:00.000Z' }, trust), code('ERR_CLAIMS_SIGNATURE_INVALID'));
    // a signer key that the evidence does not bind (an attacker's own key, same evidence)
    const forger = await createClaimsSigner(s.producer, s.channel.publicKey);
    const forged = signClaims({ ...forger, evidence: s.signer.evidence }, s.subject, s.file.claims, new Date(), s.producer.rootPublicKey);
    await assert.rejects(verifyClaims(forged, trust), code('ERR_REPORT_DATA_MISMATCH'));
    // another install's simulation root (the file carries its own; a pinned root wins)
    const otherDir = await mkdtemp(join(tmpdir(), 'veil-claims-other-'));
    const otherProducer = await createSimulationProducer({ dataDir: otherDir, measurement: M });
    await assert.rejects(verifyClaims(s.file, { ...trust, simulationRoot: otherProducer.rootPublicKey }), (e: { code?: string }) => /^ERR_SIMULATION/.test(e.code ?? ''));
    await rm(otherDir, { recursive: true, force: true });
    const sig = s.file.signature;
    await assert.rejects(verifyClaims({ ...s.file, signature: (sig[0] === '0' ? '1' : '0') + sig.slice(1) }, trust), code('ERR_CLAIMS_SIGNATURE_INVALID'));
    for (const bad of [null, {}, { ...s.file, v: 2 }, { ...s.file, extra: 1 }, { ...s.file, claims: { ...s.file.claims, unique: false } },
      { ...s.file, claims: { ...s.file.claims, admin: true } }, { ...s.file, issuedAt: 'yesterday' }, { ...s.file, signer: { ...s.file.signer, evidence: '***' } }]) {
      await assert.rejects(verifyClaims(bad, trust), code('ERR_CLAIMS_MALFORMED'));
    }
  } finally { await s.done(); }
});
