import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { applyPolicy } from '../src/policy.ts';
import { createSimulationProducer } from '../src/producers/simulation.ts';
import { verifySimulationEvidence } from '../src/simulation-verify.ts';
import { parseSimulationRoot, exportSimulationRoot } from '../src/simulation-root.ts';
import { signSimulationEvidence, SIMULATION_EVIDENCE_LENGTH } from '../src/simulation-evidence.ts';
import { loadSimulationInstall } from '../src/simulation-store.ts';

const M = 'ab'.repeat(32);
const M2 = 'cd'.repeat(32);

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'veil-sim-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('simulation: evidence verifies against the install root with measurement and binding', () =>
  withDir(async (dir) => {
    const producer = await createSimulationProducer({ dataDir: dir, measurement: M });
    assert.equal(producer.simulated, true);
    const root = parseSimulationRoot(await readFile(producer.rootPublicPath, 'utf8'));
    const reportData = crypto.getRandomValues(new Uint8Array(64));
    const ev = await producer.evidence(reportData);
    assert.equal(ev.length, SIMULATION_EVIDENCE_LENGTH);
    const at = new Date('2026-11-21T12:00:00Z');
    const facts = verifySimulationEvidence(ev, { allowSimulation: true, simulationRoot: root, measurements: [M], reportData, at });
    assert.deepEqual(facts, {
      v: 1,
      tee: 'simulation',
      simulated: true,
      measurement: M,
      measurements: { build: M },
      reportData: bytesToHex(reportData),
      debug: false,
      verifiedAt: '2026-11-21T12:00:00.000Z',
      details: { format: 'veil-simulation-v1', rootKeyId: bytesToHex(sha256(root)) },
    });
    // accepts any of several expected measurements, case-insensitively
    verifySimulationEvidence(ev, { allowSimulation: true, simulationRoot: root, measurements: [M2, M.toUpperCase()] });
  }));

test('simulation: refused unless explicitly allowed', () =>
  withDir(async (dir) => {
    const producer = await createSimulationProducer({ dataDir: dir, measurement: M });
    const ev = await producer.evidence(new Uint8Array(64));
    for (const allowSimulation of [false, undefined, 'true', 1] as unknown[]) {
      assert.throws(
        () => verifySimulationEvidence(ev, { allowSimulation: allowSimulation as boolean, simulationRoot: producer.rootPublicKey }),
        { code: 'ERR_SIMULATION_NOT_ALLOWED' },
      );
    }
    assert.throws(() => verifySimulationEvidence(ev, { allowSimulation: true }), TypeError, 'no root, no trust');
  }));

test('simulation: the secrets persist per install, and another install is another root', () =>
  withDir(async (dir) =>
    withDir(async (dir2) => {
      const a = await createSimulationProducer({ dataDir: dir, measurement: M });
      const again = await createSimulationProducer({ dataDir: dir, measurement: M });
      assert.deepEqual(again.rootPublicKey, a.rootPublicKey);
      assert.deepEqual(await again.sealKey(), await a.sealKey());
      for (const f of ['simulation-root.key', 'simulation-seal.key']) {
        assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, `${f} is 0600`);
      }
      const other = await createSimulationProducer({ dataDir: dir2, measurement: M });
      const ev = await other.evidence(new Uint8Array(64));
      assert.throws(() => verifySimulationEvidence(ev, { allowSimulation: true, simulationRoot: a.rootPublicKey }), {
        code: 'ERR_SIMULATION_ROOT_MISMATCH',
      });
    })));

test('simulation: concurrent first use creates one root', () =>
  withDir(async (dir) => {
    const installs = await Promise.all([1, 2, 3, 4].map(() => loadSimulationInstall(dir)));
    for (const i of installs) assert.deepEqual(i.rootPublicKey, installs[0]!.rootPublicKey);
  }));

test('simulation: a world-readable secret key file is refused', () =>
  withDir(async (dir) => {
    await loadSimulationInstall(dir);
    await chmod(join(dir, 'simulation-root.key'), 0o644);
    await assert.rejects(loadSimulationInstall(dir), { code: 'ERR_SIMULATION_KEY_PERMISSIONS' });
  }));

test('simulation: wrong measurement and wrong report data fail the policy', () =>
  withDir(async (dir) => {
    const producer = await createSimulationProducer({ dataDir: dir, measurement: M });
    const reportData = new Uint8Array(64).fill(1);
    const ev = await producer.evidence(reportData);
    const base = { allowSimulation: true, simulationRoot: producer.rootPublicKey };
    assert.throws(() => verifySimulationEvidence(ev, { ...base, measurements: [M2] }), { code: 'ERR_MEASUREMENT_MISMATCH' });
    assert.throws(() => verifySimulationEvidence(ev, { ...base, reportData: new Uint8Array(64).fill(2) }), { code: 'ERR_REPORT_DATA_MISMATCH' });
  }));

test('simulation facts: the shared policy layer refuses them unless simulation is listed', () =>
  withDir(async (dir) => {
    const producer = await createSimulationProducer({ dataDir: dir, measurement: M });
    const facts = verifySimulationEvidence(await producer.evidence(new Uint8Array(64)), { allowSimulation: true, simulationRoot: producer.rootPublicKey });
    assert.throws(() => applyPolicy(facts), { code: 'ERR_TEE_NOT_ALLOWED' });
    assert.throws(() => applyPolicy(facts, { tees: ['sgx', 'tdx'] }), { code: 'ERR_TEE_NOT_ALLOWED' });
    assert.equal(applyPolicy(facts, { tees: ['simulation'] }), facts);
  }));

test('simulation: flipping any bit of the evidence makes it fail', () =>
  withDir(async (dir) => {
    const producer = await createSimulationProducer({ dataDir: dir, measurement: M });
    const reportData = new Uint8Array(64).fill(9);
    const ev = await producer.evidence(reportData);
    const opts = { allowSimulation: true, simulationRoot: producer.rootPublicKey, measurements: [M], reportData };
    verifySimulationEvidence(ev, opts);
    for (let i = 0; i < ev.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const t = ev.slice();
        t[i]! ^= bit;
        assert.throws(
          () => verifySimulationEvidence(t, opts),
          (e: { code?: string }) => /^ERR_(SIMULATION_(MALFORMED|ROOT_MISMATCH|SIGNATURE))$/.test(e.code ?? ''),
          `offset ${i} bit ${bit}`,
        );
      }
    }
  }));

test('simulation: a signature by another key with a forged root key id fails', () =>
  withDir(async (dir) => {
    const producer = await createSimulationProducer({ dataDir: dir, measurement: M });
    const attacker = p256.utils.randomSecretKey();
    const forged = signSimulationEvidence({ rootSecretKey: attacker, measurement: new Uint8Array(32).fill(0xab), reportData: new Uint8Array(64) });
    const genuine = await producer.evidence(new Uint8Array(64));
    forged.set(genuine.subarray(108, 140), 108); // claim the victim's root
    assert.throws(() => verifySimulationEvidence(forged, { allowSimulation: true, simulationRoot: producer.rootPublicKey }), {
      code: 'ERR_SIMULATION_SIGNATURE',
    });
  }));

test('simulation: malformed evidence gives a clear error', () => {
  const root = p256.getPublicKey(p256.utils.randomSecretKey(), false);
  for (const bad of [new Uint8Array(0), new Uint8Array(203), new Uint8Array(205), new Uint8Array(204), new Uint8Array(1 << 20)]) {
    assert.throws(() => verifySimulationEvidence(bad, { allowSimulation: true, simulationRoot: root }), { code: 'ERR_SIMULATION_MALFORMED' });
  }
  const ev = signSimulationEvidence({ rootSecretKey: p256.utils.randomSecretKey(), measurement: new Uint8Array(32), reportData: new Uint8Array(64) });
  const v2 = ev.slice();
  v2[9] = 2;
  assert.throws(() => verifySimulationEvidence(v2, { allowSimulation: true, simulationRoot: root }), { code: 'ERR_SIMULATION_MALFORMED' });
});

test('simulation root file: round trip and rejection of bad documents', () => {
  const pk = p256.getPublicKey(p256.utils.randomSecretKey(), false);
  assert.deepEqual(parseSimulationRoot(exportSimulationRoot(pk)), pk);
  const good = JSON.parse(exportSimulationRoot(pk));
  const bads = [
    'not json',
    'null',
    JSON.stringify({ ...good, v: 2 }),
    JSON.stringify({ ...good, type: 'x' }),
    JSON.stringify({ ...good, alg: 'ES384' }),
    JSON.stringify({ ...good, publicKey: good.publicKey.slice(0, -2) }),
    JSON.stringify({ ...good, publicKey: `04${'00'.repeat(64)}` }),
  ];
  for (const b of bads) assert.throws(() => parseSimulationRoot(b), { code: 'ERR_SIMULATION_ROOT_INVALID' });
});
