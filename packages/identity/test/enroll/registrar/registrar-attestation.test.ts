// The registrar key is trusted only through evidence of the expected measurement that binds it
// (registrar-attestation.ts): a board naming its own key, evidence of another build, simulation
// without permission, a key the report data does not hold and evidence made for another purpose
// are all refused, each with its code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { exportSimulationRoot } from '@veil/attest/simulation-root';
import { bytesToHex } from '@veil/crypto';
import { toBase64 } from '@veil/crypto/bytes';
import { claimsSignerReportData } from '../../../src/enroll/claims-signer.ts';
import { registrarReportData, verifyRegistrarAttestation } from '../../../src/enroll/registrar-attestation.ts';

const M = 'e1'.repeat(32);
const code = (c: string) => (e: { code?: string }) => { assert.equal(e.code, c); return true; };
const newKey = () => ed25519.getPublicKey(ed25519.utils.randomSecretKey());

test('registrar attestation: the attested key verifies; every substitution is refused with its code', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veil-registrar-att-'));
  try {
    const producer = await createSimulationProducer({ dataDir: join(dir, 'a'), measurement: M });
    const otherBuild = await createSimulationProducer({ dataDir: join(dir, 'b'), measurement: 'e2'.repeat(32) });
    const key = newKey();
    const signer = (o: { publicKey?: Uint8Array; evidence?: Uint8Array; root?: Uint8Array } = {}) => ({
      simulationRoot: exportSimulationRoot(o.root ?? producer.rootPublicKey),
      registrar: { publicKey: bytesToHex(o.publicKey ?? key), evidenceType: 'simulation', evidence: toBase64(o.evidence ?? good) },
    });
    const good = await producer.evidence(registrarReportData(key));
    const trust = { measurements: [M], allowSimulation: true };

    assert.deepEqual(await verifyRegistrarAttestation(signer(), trust, bytesToHex(key)), { publicKey: bytesToHex(key), measurement: M, simulated: true });
    assert.equal((await verifyRegistrarAttestation(JSON.parse(JSON.stringify(signer())), { ...trust, simulationRoot: producer.rootPublicKey })).publicKey, bytesToHex(key));

    // The board names another registrar (its own) beside the service's attested one.
    await assert.rejects(verifyRegistrarAttestation(signer(), trust, bytesToHex(newKey())), code('ERR_REGISTRAR_MISMATCH'));
    // A key the evidence's report data does not hold (the real evidence next to the board's key).
    await assert.rejects(verifyRegistrarAttestation(signer({ publicKey: newKey() }), trust), code('ERR_REPORT_DATA_MISMATCH'));
    // Evidence of the same key made for the claims signer (another tag) is not registrar evidence.
    const claimsEvidence = await producer.evidence(claimsSignerReportData(key, newKey()));
    await assert.rejects(verifyRegistrarAttestation(signer({ evidence: claimsEvidence }), trust), code('ERR_REPORT_DATA_MISMATCH'));
    // Evidence of another build (measurement) binding this very key.
    const other = await otherBuild.evidence(registrarReportData(key));
    await assert.rejects(verifyRegistrarAttestation(signer({ evidence: other, root: otherBuild.rootPublicKey }), trust), code('ERR_MEASUREMENT_MISMATCH'));
    // Simulated evidence without permission, and a pinned root of another install.
    await assert.rejects(verifyRegistrarAttestation(signer(), { measurements: [M] }), code('ERR_SIMULATION_NOT_ALLOWED'));
    await assert.rejects(verifyRegistrarAttestation(signer(), { ...trust, simulationRoot: otherBuild.rootPublicKey }));
    // No registrar section, a flipped evidence byte, malformed fields.
    await assert.rejects(verifyRegistrarAttestation({ simulationRoot: signer().simulationRoot }, trust), code('ERR_REGISTRAR_UNATTESTED'));
    await assert.rejects(verifyRegistrarAttestation(null, trust), code('ERR_REGISTRAR_UNATTESTED'));
    const flipped = good.slice();
    flipped[flipped.length - 1]! ^= 1;
    await assert.rejects(verifyRegistrarAttestation(signer({ evidence: flipped }), trust));
    await assert.rejects(verifyRegistrarAttestation({ ...signer(), registrar: { ...signer().registrar, publicKey: 'zz' } }, trust), code('ERR_EVIDENCE_MALFORMED'));
    await assert.rejects(verifyRegistrarAttestation({ ...signer(), registrar: { ...signer().registrar, evidenceType: 'tdx' } }, trust), code('ERR_EVIDENCE_MALFORMED'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
