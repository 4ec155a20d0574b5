// The UID node's reproducible bundle: two builds give the same bytes, the bundle (written once)
// runs as a 1-of-1 node under simulation in the development profile and answers an attested
// evaluation, and the production profile refuses simulation with exit 2.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { createSimulationProducer } from '@veil/attest/producers/simulation';
import { exportSimulationRoot, parseSimulationRoot } from '@veil/attest/simulation-root';
import { buildUidBundle, writeUidBundle } from '../src/build-uid-enclave.ts';
import { generateShares, groupFile } from '../src/generate-shares.ts';
import { parseUidGroup } from '../src/share-file.ts';
import { createNodeVerifier } from '../src/verify-node.ts';
import { deriveUid } from '../src/derive-uid.ts';
import { evaluateDirect } from './helpers/evaluate-direct.ts';

const tmp = await mkdtemp(join(tmpdir(), 'veil-uid-bundle-'));
after(() => rm(tmp, { recursive: true, force: true }));
const bundle = join(tmp, 'uid-enclave.mjs');
const M_ID = 'a1'.repeat(32); // the caller's (identity service's) measurement

test('reproducible: an in-memory build and the written bundle are byte-identical; measurement = SHA-256', async () => {
  const { measurement, size } = await writeUidBundle(bundle);
  const written = await readFile(bundle);
  const again = await buildUidBundle();
  assert.ok(size > 10_000);
  assert.ok(written.equals(again), 'identical bytes');
  assert.equal(measurement, createHash('sha256').update(written).digest('hex'));
  const text = written.toString('utf8');
  for (const abs of [process.cwd(), tmp]) assert.ok(!text.includes(abs), `bundle must not contain the absolute path ${abs}`);
});

test('the bundle serves evaluations under simulation (development), reporting its own hash', async () => {
  const measurement = createHash('sha256').update(await readFile(bundle)).digest('hex');
  const caller = await createSimulationProducer({ dataDir: join(tmp, 'identity'), measurement: M_ID });
  const callerRoot = join(tmp, 'caller-root.json');
  await writeFile(callerRoot, exportSimulationRoot(caller.rootPublicKey));
  const key = ristretto255_oprf.voprf.generateKeyPair();
  const gen = generateShares({ threshold: 1, nodes: ['n1'], secretKey: key.secretKey });
  const sharePath = join(tmp, 'n1.share.json');
  await writeFile(sharePath, JSON.stringify(gen.shares[0]), { mode: 0o600 });

  const child = spawn(process.execPath, [bundle], {
    cwd: tmp,
    env: {
      PATH: process.env.PATH, VEIL_PROFILE: 'development', VEIL_UID_PRODUCER: 'simulation', VEIL_UID_PORT: '0', VEIL_DATA_DIR: join(tmp, 'data'),
      VEIL_UID_SHARE: sharePath, VEIL_UID_CALLER_MEASUREMENTS: M_ID, VEIL_UID_CALLER_SIMULATION_ROOT: callerRoot,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const line = await new Promise<string>((res, rej) => {
      let out = '';
      const t = setTimeout(() => rej(new Error(`uid node did not start: ${stderr}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(t);
          res(out.split('\n')[0]!);
        }
      });
      child.once('exit', (code) => rej(new Error(`uid node exited ${code}: ${stderr}`)));
    });
    const info = JSON.parse(line);
    assert.equal(info.profile, 'development');
    assert.equal(info.simulated, true);
    assert.equal(info.measurement, measurement);
    assert.equal(info.node, 'n1');
    assert.match(stderr, /SIMULATED ATTESTATION/);

    const group = parseUidGroup(groupFile(gen, { n1: info.url }));
    const nodeRoot = parseSimulationRoot(await readFile(info.simulationRoot, 'utf8'));
    const input = new TextEncoder().encode('zoë ó briain|1990-02-03|ie');
    const client = {
      group,
      attestCaller: async (reportData: Uint8Array) => ({ type: caller.type, evidence: await caller.evidence(reportData) }),
      verifyNode: createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: { measurements: [measurement], allowSimulation: true, simulationRoot: nodeRoot } }),
    };
    const r = await deriveUid({ ...client, input });
    assert.equal(r.uid, bytesToHex(evaluateDirect(key.secretKey, input)));
    // A verifier pinning another build's measurement does not accept this node.
    await assert.rejects(
      deriveUid({ ...client, input, verifyNode: createNodeVerifier({ groupPublicKey: group.groupPublicKey, trust: { measurements: ['00'.repeat(32)], allowSimulation: true, simulationRoot: nodeRoot } }) }),
      (e: { code: string; failures: Array<{ code: string }> }) => e.code === 'ERR_UID_THRESHOLD' && e.failures[0]!.code === 'ERR_UID_NODE_UNTRUSTED',
    );
  } finally {
    child.kill('SIGTERM');
  }
});

test('the production profile (the default) refuses simulation: exit 2, nothing written', async () => {
  const data = join(tmp, 'prod-data');
  const r = spawnSync(process.execPath, [bundle], {
    cwd: tmp,
    env: { PATH: process.env.PATH, VEIL_UID_PRODUCER: 'simulation', VEIL_UID_PORT: '0', VEIL_DATA_DIR: data, VEIL_UID_CALLER_MEASUREMENTS: M_ID },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /ERR_UID_CONFIG: the production profile refuses the simulation producer/);
  assert.equal(r.stdout, '');
  await assert.rejects(readFile(join(data, 'uid.share.sealed.json')), { code: 'ENOENT' });
});
